/// A public nkey: a key type and a 32-byte Ed25519 public key.
public struct PublicKey: Hashable, Sendable, CustomStringConvertible {
    /// The key's type (account, service, …).
    public let type: KeyType
    /// The raw 32-byte Ed25519 public key.
    public let rawBytes: [UInt8]

    /// Length of an encoded public key in characters.
    public static let encodedLength = 56

    /// A public key from its raw bytes.
    /// - Parameters:
    ///   - type: the key type.
    ///   - rawBytes: exactly 32 bytes.
    /// - Throws: `NKeysError.invalidLength` when `rawBytes` is not 32 bytes long.
    public init(type: KeyType, rawBytes: [UInt8]) throws(NKeysError) {
        guard rawBytes.count == 32 else { throw .invalidLength(rawBytes.count, expected: [32]) }
        self.type = type
        self.rawBytes = rawBytes
    }

    /// Decodes an encoded public key such as `ACODERUV…`.
    /// - Parameter encoded: the 56-character text; surrounding whitespace is ignored.
    /// - Throws: `NKeysError` for a bad character, wrong length, checksum mismatch, unknown type,
    ///   or a seed given where a public key belongs.
    public init(_ encoded: String) throws(NKeysError) {
        let text = encoded.trimmingASCIIWhitespace()
        if text.first == "S", text.count == KeyPair.encodedSeedLength { throw .notAPublicKey }
        let payload = try NKeyText.decode(text, expectedLength: Self.encodedLength)
        guard let type = KeyType(prefixByte: payload[0]) else {
            if payload[0] & 0xF8 == KeyType.seedPrefixByte { throw .notAPublicKey }
            throw .unknownKeyType(prefixByte: payload[0])
        }
        self.type = type
        self.rawBytes = Array(payload[1...])
    }

    /// Decodes an encoded public key and checks its type.
    /// - Throws: `NKeysError.wrongKeyType` when it decodes to another type, or any decoding error.
    public init(_ encoded: String, expecting type: KeyType) throws(NKeysError) {
        try self.init(encoded)
        guard self.type == type else { throw .wrongKeyType(expected: type, found: self.type) }
    }

    /// The 56-character text form.
    public var encoded: String { NKeyText.encode([type.prefixByte] + rawBytes) }

    public var description: String { encoded }

    /// Checks an Ed25519 signature made by this key's seed.
    /// - Parameters:
    ///   - signature: 64 bytes.
    ///   - message: the signed bytes.
    /// - Returns: `true` only when the signature is valid for `message`.
    public func verify(signature: [UInt8], for message: some Collection<UInt8>) -> Bool {
        guard signature.count == 64 else { return false }
        return Sodium.verify(signature: signature, message: Array(message), publicKey: rawBytes)
    }
}

/// An nkey seed with its derived Ed25519 key pair. It can sign; its seed is secret.
public final class KeyPair: Sendable, CustomStringConvertible {
    /// The key's type.
    public let type: KeyType
    /// The public half.
    public let publicKey: PublicKey
    private let seedBytes: [UInt8]
    private let secretKey: [UInt8]

    /// Length of an encoded seed in characters.
    public static let encodedSeedLength = 58

    /// Restores a key pair from its encoded seed (`SA…`, `SV…`, …).
    /// - Parameter seed: the 58-character seed; surrounding whitespace is ignored.
    /// - Throws: `NKeysError` for a bad character, wrong length, checksum mismatch, a text that is
    ///   not a seed, or an unknown type.
    public convenience init(seed: String) throws(NKeysError) {
        let text = seed.trimmingASCIIWhitespace()
        let payload = try NKeyText.decode(text, expectedLength: Self.encodedSeedLength, orPublic: true)
        guard payload.count == 34 else { throw .notASeed }
        guard payload[0] & 0xF8 == KeyType.seedPrefixByte else {
            if KeyType(prefixByte: payload[0]) != nil { throw .notASeed }
            throw .unknownKeyType(prefixByte: payload[0])
        }
        let prefix = (payload[0] & 0x07) << 5 | (payload[1] & 0xF8) >> 3
        guard let type = KeyType(prefixByte: prefix) else { throw .unknownKeyType(prefixByte: prefix) }
        try self.init(type: type, rawSeed: Array(payload[2...]))
    }

    /// Restores a key pair from its encoded seed and checks its type.
    /// - Throws: `NKeysError.wrongKeyType` when the seed is of another type, or any decoding error.
    public convenience init(seed: String, expecting type: KeyType) throws(NKeysError) {
        try self.init(seed: seed)
        guard self.type == type else { throw .wrongKeyType(expected: type, found: self.type) }
    }

    /// A key pair from a raw 32-byte seed: an Ed25519 seed, or for `curve` keys an X25519 private key (whose
    /// public key is `crypto_scalarmult_base` of it, as in nkeys' xkeys).
    /// - Throws: `NKeysError.invalidLength` when `rawSeed` is not 32 bytes.
    public init(type: KeyType, rawSeed: [UInt8]) throws(NKeysError) {
        guard rawSeed.count == 32 else { throw .invalidLength(rawSeed.count, expected: [32]) }
        let (publicBytes, secret) = type == .curve
            ? (try Sodium.curvePublicKey(seed: rawSeed), [])
            : try Sodium.keyPair(seed: rawSeed)
        self.type = type
        self.seedBytes = rawSeed
        self.secretKey = secret
        self.publicKey = try PublicKey(type: type, rawBytes: publicBytes)
    }

    /// A new key pair from the system's secure random source.
    /// - Throws: `NKeysError.cryptoUnavailable` when libsodium cannot start.
    public static func generate(_ type: KeyType) throws(NKeysError) -> KeyPair {
        try KeyPair(type: type, rawSeed: Sodium.randomBytes(32))
    }

    /// The 58-character encoded seed. Secret: write it only where the user asked for it.
    public var seed: String {
        let prefix = type.prefixByte
        let b1 = KeyType.seedPrefixByte | (prefix >> 5)
        let b2 = (prefix & 31) << 3
        return NKeyText.encode([b1, b2] + seedBytes)
    }

    /// The raw 32-byte Ed25519 seed. Secret.
    public var rawSeed: [UInt8] { seedBytes }

    /// Signs a message with pure Ed25519. Curve (X25519) keys cannot sign; callers never ask them to.
    /// - Parameter message: the bytes to sign.
    /// - Returns: the 64-byte signature.
    public func sign(_ message: some Collection<UInt8>) -> [UInt8] {
        precondition(type != .curve, "curve (X25519) keys cannot sign")
        return Sodium.sign(message: Array(message), secretKey: secretKey)
    }

    /// Describes the pair by its public key only, so a seed never lands in a log by accident.
    public var description: String { "KeyPair(\(type), \(publicKey.encoded))" }
}

/// The shared text layer: base32 of `payload ‖ crc16` (low byte first).
enum NKeyText {
    static func encode(_ payload: [UInt8]) -> String {
        let crc = CRC16.checksum(payload)
        return Base32.encode(payload + [UInt8(crc & 0xFF), UInt8(crc >> 8)])
    }

    /// Decodes and checks the checksum, returning the payload without it.
    static func decode(_ text: some StringProtocol, expectedLength: Int, orPublic: Bool = false)
        throws(NKeysError) -> [UInt8]
    {
        let bytes = try Base32.decode(text)
        let count = text.unicodeScalars.count
        let valid = orPublic ? [expectedLength, PublicKey.encodedLength] : [expectedLength]
        guard valid.contains(count) else { throw .invalidLength(count, expected: [expectedLength]) }
        // A seed's 58 characters hold 290 bits for 288: the 2 left over must be zero, or several texts
        // would decode to one key (wash's decoder rejects them too).
        let unusedBits = count * 5 % 8
        if unusedBits > 0, let last = text.unicodeScalars.last, Base32.value(of: last) & ((1 << unusedBits) - 1) != 0 {
            throw .nonCanonicalEncoding
        }
        let payload = Array(bytes.dropLast(2))
        let stored = UInt16(bytes[bytes.count - 2]) | UInt16(bytes[bytes.count - 1]) << 8
        guard CRC16.checksum(payload) == stored else { throw .checksumMismatch }
        return payload
    }
}

extension StringProtocol {
    /// The text without leading and trailing ASCII whitespace (spaces, tabs, CR, LF).
    func trimmingASCIIWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\n" || $0 == "\r\n" || $0 == "\r" || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(self[first...last])
    }
}
