import NKeys

/// A signed claims token: `B64(header).B64(claims).B64(signature)` (SPEC §2).
///
/// Decoding keeps the segments exactly as received, and the signature is checked against them,
/// never against re-serialised JSON.
public struct ClaimsToken: Sendable, Hashable {
    /// The compact token text, as written to `claims.jwt`.
    public let encoded: String
    /// The decoded claims.
    public let claims: ProviderClaims
    /// `B64(header).B64(claims)`: what the signature covers.
    private let signingInput: Substring
    private let signature: [UInt8]

    /// The only header swash writes.
    public static let header = #"{"typ":"jwt","alg":"Ed25519"}"#
    /// The header's base64url encoding.
    public static let encodedHeader = "eyJ0eXAiOiJqd3QiLCJhbGciOiJFZDI1NTE5In0"

    /// Signs claims with the issuer's account key.
    /// - Parameters:
    ///   - claims: the claims; `claims.issuer` must be `issuer`'s public key and `claims.subject` a
    ///     service public key.
    ///   - issuer: the account key pair named by `claims.issuer`.
    /// - Throws: `WascapError.issuerMismatch` when the key is not the claims' issuer;
    ///   `.invalidKey` when `sub` is not a service key or `iss` not an account key.
    public static func sign(_ claims: ProviderClaims, issuer: KeyPair) throws(WascapError) -> ClaimsToken {
        do {
            _ = try PublicKey(claims.issuer, expecting: .account)
        } catch {
            throw .invalidKey(claim: "iss", error)
        }
        do {
            _ = try PublicKey(claims.subject, expecting: .service)
        } catch {
            throw .invalidKey(claim: "sub", error)
        }
        guard issuer.publicKey.encoded == claims.issuer else {
            throw .issuerMismatch(claims: claims.issuer, key: issuer.publicKey.encoded)
        }
        let payload = Base64URL.encode(Array(claims.json.compactText.utf8))
        let signingInput = encodedHeader + "." + payload
        let signature = issuer.sign(Array(signingInput.utf8))
        return ClaimsToken(
            encoded: signingInput + "." + Base64URL.encode(signature), claims: claims,
            signingInput: Substring(signingInput), signature: signature)
    }

    private init(encoded: String, claims: ProviderClaims, signingInput: Substring, signature: [UInt8]) {
        self.encoded = encoded
        self.claims = claims
        self.signingInput = signingInput
        self.signature = signature
    }

    /// Decodes a compact token without judging its signature or times (see `validate(at:)`).
    /// - Parameter text: the token; surrounding ASCII whitespace is ignored.
    /// - Throws: `WascapError` for a malformed token, bad base64url, invalid JSON, an algorithm
    ///   other than Ed25519, or missing/invalid claims.
    public init(decoding text: String) throws(WascapError) {
        let token = Substring(text).trimmingASCIIWhitespace()
        let segments = token.split(separator: ".", omittingEmptySubsequences: false)
        guard segments.count == 3 else {
            throw .malformedToken("found \(segments.count) segment\(segments.count == 1 ? "" : "s")")
        }
        guard let headerBytes = Base64URL.decode(segments[0]) else { throw .invalidBase64(segment: "header") }
        guard let claimsBytes = Base64URL.decode(segments[1]) else { throw .invalidBase64(segment: "claims") }
        guard let signature = Base64URL.decode(segments[2]) else { throw .invalidBase64(segment: "signature") }
        let header = try JSONValue(parsing: headerBytes, source: "claims.jwt header")
        guard case .string(let algorithm)? = header["alg"] else { throw .malformedToken("the header has no \"alg\"") }
        guard algorithm == "Ed25519" else { throw .unsupportedAlgorithm(algorithm) }
        let claims = try ProviderClaims(json: try JSONValue(parsing: claimsBytes, source: "claims.jwt claims"))
        self.init(
            encoded: String(token), claims: claims,
            signingInput: token[segments[0].startIndex..<segments[1].endIndex], signature: signature)
    }

    /// Whether the signature verifies against the issuer (`iss`) over the segments as received.
    public var signatureIsValid: Bool {
        guard let issuer = try? PublicKey(claims.issuer, expecting: .account) else { return false }
        return issuer.verify(signature: signature, for: Array(signingInput.utf8))
    }

    /// Judges the token: its signature and its `exp`/`nbf` against `now`.
    /// - Parameter now: the current time in unix seconds.
    public func validate(at now: UInt64) -> TokenValidation {
        TokenValidation(
            signatureValid: signatureIsValid,
            expiredAt: claims.expires.flatMap { now > $0 ? $0 : nil },
            notValidUntil: claims.notBefore.flatMap { now < $0 ? $0 : nil })
    }
}

/// How a token fared: signature, expiry and not-before.
public struct TokenValidation: Sendable, Hashable {
    /// The signature verifies against the issuer's key.
    public var signatureValid: Bool
    /// The `exp` time when it has passed, else `nil`.
    public var expiredAt: UInt64?
    /// The `nbf` time when it is still ahead, else `nil`.
    public var notValidUntil: UInt64?

    /// True when the signature is valid and the token is within its validity window.
    public var isValid: Bool { signatureValid && expiredAt == nil && notValidUntil == nil }

    /// Throws the first problem found.
    /// - Parameter issuer: the issuer's public key, for the message.
    /// - Throws: `WascapError.invalidSignature`, `.expired` or `.notYetValid`.
    public func check(issuer: String) throws(WascapError) {
        guard signatureValid else { throw .invalidSignature(issuer: issuer) }
        if let expiredAt { throw .expired(at: expiredAt) }
        if let notValidUntil { throw .notYetValid(until: notValidUntil) }
    }
}

extension Substring {
    func trimmingASCIIWhitespace() -> Substring {
        let isSpace: (Unicode.Scalar) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }),
            let last = scalars.lastIndex(where: { !isSpace($0) })
        else { return self[endIndex...] }
        return self[first...last]
    }
}
