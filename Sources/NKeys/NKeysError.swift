import Foundation

/// Why an nkey could not be decoded or used. Messages never contain seed material.
public enum NKeysError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    /// A character outside the base32 alphabet `A–Z2–7`, with its 1-based position.
    case invalidCharacter(Character, position: Int)
    /// The text has the wrong length for a key (`expected` lists the valid lengths).
    case invalidLength(Int, expected: [Int])
    /// The CRC-16 at the end of the key does not match its contents.
    case checksumMismatch
    /// The last character carries bits beyond the key's bytes that are not zero: not the canonical
    /// base32 of any key (another text decodes to the same key).
    case nonCanonicalEncoding
    /// The prefix byte names no known key type.
    case unknownKeyType(prefixByte: UInt8)
    /// A public key was expected but the text is a seed (or the reverse).
    case notAPublicKey
    /// A seed was expected but the text is not one (a seed starts with `S`).
    case notASeed
    /// The key is valid but of another type than the one needed here.
    case wrongKeyType(expected: KeyType, found: KeyType)
    /// A signature is not 64 bytes long.
    case invalidSignatureLength(Int)
    /// The cryptographic library could not be initialised.
    case cryptoUnavailable

    public var description: String {
        switch self {
        case .invalidCharacter(let character, let position):
            let shown = character.unicodeScalars.allSatisfy { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F }
                ? "'\(character)'" : "U+" + character.unicodeScalars.map { String($0.value, radix: 16, uppercase: true) }.joined(separator: " U+")
            return "invalid nkey: character \(shown) at position \(position) is not base32 (A–Z, 2–7); check for a typo or a truncated copy"
        case .invalidLength(let length, let expected):
            let valid = expected.map(String.init).joined(separator: " or ")
            return "invalid nkey: \(length) characters, expected \(valid); the key was probably truncated or has extra text"
        case .checksumMismatch:
            return "invalid nkey: checksum mismatch; the key is corrupted or mistyped"
        case .nonCanonicalEncoding:
            return "invalid nkey: the last character is not canonical base32 (its unused bits are not zero); the key is corrupted or mistyped"
        case .unknownKeyType(let prefixByte):
            return "invalid nkey: unknown key type (prefix byte \(prefixByte))"
        case .notAPublicKey:
            return "expected a public key, but this is a seed; never share seeds — pass the public key (it starts with A, V, U, …)"
        case .notASeed:
            return "expected a seed (58 characters starting with 'S'), but this is not one"
        case .wrongKeyType(let expected, let found):
            return "wrong key type: expected \(expected.withArticle) key, got \(found.withArticle) key"
        case .invalidSignatureLength(let length):
            return "invalid signature: \(length) bytes, expected 64"
        case .cryptoUnavailable:
            return "libsodium could not be initialised"
        }
    }

    public var errorDescription: String? { description }
}
