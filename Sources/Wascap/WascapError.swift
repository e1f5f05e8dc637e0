import Foundation
import NKeys

/// Why a claims token could not be decoded, built or trusted.
public enum WascapError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    /// JSON text is malformed; `source` names what was parsed (`claims`, a file path, …) and
    /// `snippet` shows the offending line with a caret under the position.
    case invalidJSON(source: String, line: Int, column: Int, message: String, snippet: String)
    /// The token is not three base64url segments separated by dots.
    case malformedToken(String)
    /// A token segment (`header`, `claims`, `signature`) is not valid base64url.
    case invalidBase64(segment: String)
    /// The header names an algorithm other than `Ed25519`.
    case unsupportedAlgorithm(String)
    /// A required claim is absent.
    case missingClaim(String)
    /// A claim is present but has the wrong type or value.
    case invalidClaim(String, expected: String)
    /// A public key in the claims (`iss`, `sub`) is not a valid nkey of the needed type.
    case invalidKey(claim: String, NKeysError)
    /// Signing was asked with a key that is not the claims' issuer.
    case issuerMismatch(claims: String, key: String)
    /// The signature does not verify against the issuer's public key.
    case invalidSignature(issuer: String)
    /// The token's `exp` lies in the past.
    case expired(at: UInt64)
    /// The token's `nbf` lies in the future.
    case notYetValid(until: UInt64)

    public var description: String {
        switch self {
        case .invalidJSON(let source, let line, let column, let message, let snippet):
            let location = "\(source):\(line):\(column): \(message)"
            return snippet.isEmpty ? location : location + "\n" + snippet
        case .malformedToken(let reason):
            return "malformed claims token: \(reason); a token is three base64url segments joined by dots"
        case .invalidBase64(let segment):
            return "malformed claims token: the \(segment) segment is not valid base64url"
        case .unsupportedAlgorithm(let algorithm):
            return "claims token uses algorithm \"\(algorithm)\"; only Ed25519 tokens are accepted"
        case .missingClaim(let name):
            return "claims token has no \"\(name)\" claim, which is required"
        case .invalidClaim(let name, let expected):
            return "claim \"\(name)\" is invalid: expected \(expected)"
        case .invalidKey(let claim, let error):
            return "claim \"\(claim)\" is not a usable public key: \(error)"
        case .issuerMismatch(let claims, let key):
            return "cannot sign: the claims name issuer \(claims) but the signing key is \(key); sign with that account's seed"
        case .invalidSignature(let issuer):
            return "signature INVALID: the claims were changed after signing, or were not signed by issuer \(issuer)"
        case .expired(let at):
            return "claims token expired at \(Self.timestamp(at)) (exp \(at)); create the archive again to sign fresh claims"
        case .notYetValid(let until):
            return "claims token is not valid before \(Self.timestamp(until)) (nbf \(until)); check the system clock"
        }
    }

    public var errorDescription: String? { description }

    /// An ISO 8601 UTC rendering of unix seconds, clamped to year 9999.
    static func timestamp(_ seconds: UInt64) -> String {
        let date = Date(timeIntervalSince1970: TimeInterval(min(seconds, 253_402_300_799)))
        return date.ISO8601Format()
    }
}
