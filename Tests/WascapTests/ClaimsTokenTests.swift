import Foundation
import NKeys
import Testing

@testable import Wascap

/// Fixed keys (seed bytes 1…32 and 101…132) so expected tokens are stable.
private let account = try! KeyPair(type: .account, rawSeed: (1...32).map { UInt8($0) })
private let service = try! KeyPair(type: .service, rawSeed: (101...132).map { UInt8($0) })
private let hash = String(repeating: "AB", count: 32)

private func claims(
    name: String? = "Fake Payments", capid: String? = nil, revision: Int? = 1, version: String? = "1.0",
    hashes: [String: String] = ["x86_64-linux": hash], schema: JSONValue? = nil
) -> ProviderClaims {
    ProviderClaims(
        id: "abcdefghijklmnopqrstuv", issuedAt: 1_612_208_012, issuer: account.publicKey.encoded,
        subject: service.publicKey.encoded, name: name, capabilityContractID: capid, vendor: "wasmCloud",
        revision: revision, version: version, targetHashes: hashes, configSchema: schema)
}

/// Signs arbitrary claims text the way any JWT library would, to test decoding of others' tokens.
private func handSigned(_ claimsJSON: String, header: String = ClaimsToken.header, key: KeyPair = account) -> String {
    let input = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(claimsJSON.utf8))
    return input + "." + Base64URL.encode(key.sign(Array(input.utf8)))
}

@Suite("SHA-256")
struct SHA256Tests {
    /// SPEC §2's example is the SHA-256 of the 26-character ASCII text "01100010 01110100 01110111"
    /// (the bit patterns of "btw" written out, with the two spaces) — not of the three bytes "btw",
    /// nor of the 24 digits without spaces.
    @Test func specExample() {
        let digest = SHA256.hex(SHA256.hash(Array("01100010 01110100 01110111".utf8)))
        #expect(digest == "8253E6BE7C5370AE137DA5067E8160670BD0736D51E61CB96E848EE3E985E70A")
        #expect(SHA256.hex(SHA256.hash(Array("btw".utf8))) != digest)
        #expect(SHA256.hex(SHA256.hash(Array("011000100111010001110111".utf8))) != digest)
    }

    @Test func streamingEqualsOneShot() {
        let data = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        var hasher = SHA256()
        for chunk in stride(from: 0, to: data.count, by: 333) {
            hasher.update(Array(data[chunk..<min(chunk + 333, data.count)]))
        }
        #expect(hasher.finalize() == SHA256.hash(data))
        #expect(SHA256.hex(SHA256.hash([UInt8]())) == "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855")
    }
}

@Suite("Writing tokens")
struct TokenWritingTests {
    @Test func headerEncoding() {
        #expect(Base64URL.encode(Array(ClaimsToken.header.utf8)) == ClaimsToken.encodedHeader)
    }

    @Test func claimsJSONIsCompactAndInSpecOrder() {
        let schema = try! JSONValue(parsing: Array(#"{ "type" : "object", "a/b": [1, 2.5e3, null, true] }"#.utf8), source: "t")
        let json = claims(capid: "examples:payments", schema: schema).json.compactText
        #expect(json == #"{"jti":"abcdefghijklmnopqrstuv","iat":1612208012,"iss":"\#(account.publicKey.encoded)","sub":"\#(service.publicKey.encoded)","wascap":{"name":"Fake Payments","capid":"examples:payments","vendor":"wasmCloud","rev":1,"ver":"1.0","target_hashes":{"x86_64-linux":"\#(hash)"},"config_schema":{"type":"object","a/b":[1,2.5e3,null,true]}},"wascap_revision":3}"#)
    }

    @Test func optionalFieldsAreOmittedAndHashesSorted() {
        let json = claims(revision: nil, version: nil, hashes: ["x86_64-macos": hash, "aarch64-linux": hash, "world.wasm": hash]).json.compactText
        #expect(!json.contains("capid") && !json.contains("\"rev\"") && !json.contains("\"ver\"") && !json.contains("config_schema"))
        #expect(json.contains(#""target_hashes":{"aarch64-linux":"\#(hash)","world.wasm":"\#(hash)","x86_64-macos":"\#(hash)"}"#))
    }

    @Test func stringsAreEscapedLikeSerdeJSON() {
        var value = ""
        JSONValue.writeString("a\"b\\c/d\n\t\r\u{08}\u{0C}\u{01}\u{1F}\u{7F}é😀", to: &value)
        #expect(value == "\"a\\\"b\\\\c/d\\n\\t\\r\\b\\f\\u0001\\u001f\u{7F}é😀\"")
    }

    @Test func signedTokenVerifiesAndRoundTrips() throws {
        let original = claims(capid: "examples:payments")
        let token = try ClaimsToken.sign(original, issuer: account)
        #expect(token.encoded.hasPrefix(ClaimsToken.encodedHeader + "."))
        #expect(token.encoded.split(separator: ".").count == 3)
        #expect(!token.encoded.contains("=") && !token.encoded.contains("\n"))
        let decoded = try ClaimsToken(decoding: token.encoded)
        #expect(decoded.claims == original)
        #expect(decoded.validate(at: 1_700_000_000).isValid)
    }

    @Test func signingWithAnotherKeyIsRefused() throws {
        let other = try KeyPair.generate(.account)
        #expect(throws: WascapError.issuerMismatch(claims: account.publicKey.encoded, key: other.publicKey.encoded)) {
            try ClaimsToken.sign(claims(), issuer: other)
        }
        var wrongSubject = claims()
        wrongSubject.subject = account.publicKey.encoded
        #expect(throws: WascapError.invalidKey(claim: "sub", .wrongKeyType(expected: .service, found: .account))) {
            try ClaimsToken.sign(wrongSubject, issuer: account)
        }
    }

    @Test func randomIDs() {
        let ids = (0..<50).map { _ in ProviderClaims.randomID() }
        #expect(Set(ids).count == 50)
        #expect(ids.allSatisfy { $0.count == 22 && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } })
    }

    @Test func deterministicIDDependsOnContentOnly() {
        var first = claims()
        first.id = "ignored"
        var second = claims()
        second.id = "something else"
        #expect(first.deterministicID == second.deterministicID)
        #expect(first.deterministicID.count == 22)
        second.vendor = "other"
        #expect(first.deterministicID != second.deterministicID)
    }
}

@Suite("Reading tokens")
struct TokenReadingTests {
    let iss = account.publicKey.encoded
    let sub = service.publicKey.encoded

    @Test func othersFormattingIsVerifiedAsReceived() throws {
        // Spaces, another key order, unknown keys, lowercase hash: valid because it is signed as is.
        let json = """
            {"iss": "\(iss)", "sub": "\(sub)", "iat": 5, "jti": "x", "extra": {"deep": [1]},
             "wascap": {"vendor": "v", "target_hashes": {"x86_64-linux": "\(hash.lowercased())"}, "future": 1}}
            """
        let token = try ClaimsToken(decoding: handSigned(json, header: #"{"alg":"Ed25519", "typ":"JWT"}"#) + "\n")
        #expect(token.signatureIsValid)
        #expect(token.claims.name == nil && token.claims.revision == nil && token.claims.wascapRevision == nil)
        #expect(token.claims.hash(of: "x86_64-linux", matches: hash))
        #expect(!token.claims.hash(of: "aarch64-linux", matches: hash))
    }

    @Test func tamperedClaimsFailVerification() throws {
        let token = try ClaimsToken.sign(claims(), issuer: account)
        let parts = token.encoded.split(separator: ".").map(String.init)
        var json = try #require(Base64URL.decode(parts[1]))
        json = Array(String(decoding: json, as: UTF8.self).replacingOccurrences(of: "wasmCloud", with: "wasmCl0ud").utf8)
        let forged = parts[0] + "." + Base64URL.encode(json) + "." + parts[2]
        let decoded = try ClaimsToken(decoding: forged)
        #expect(decoded.claims.vendor == "wasmCl0ud")
        #expect(!decoded.signatureIsValid)
        #expect(throws: WascapError.invalidSignature(issuer: iss)) { try decoded.validate(at: 0).check(issuer: iss) }
    }

    @Test func signatureByAnotherAccountIsInvalid() throws {
        let json = #"{"jti":"x","iat":1,"iss":"\#(iss)","sub":"\#(sub)","wascap":{"vendor":"v","target_hashes":{}}}"#
        let token = try ClaimsToken(decoding: handSigned(json, key: try KeyPair.generate(.account)))
        #expect(!token.signatureIsValid)
    }

    @Test func expiryAndNotBeforeAreHonoured() throws {
        let json = #"{"exp":100,"nbf":50,"jti":"x","iat":1,"iss":"\#(iss)","sub":"\#(sub)","wascap":{"vendor":"v","target_hashes":{}}}"#
        let token = try ClaimsToken(decoding: handSigned(json))
        #expect(token.validate(at: 75).isValid)
        #expect(token.validate(at: 101).expiredAt == 100)
        #expect(token.validate(at: 10).notValidUntil == 50)
        #expect(throws: WascapError.expired(at: 100)) { try token.validate(at: 101).check(issuer: iss) }
        #expect(throws: WascapError.notYetValid(until: 50)) { try token.validate(at: 10).check(issuer: iss) }
        // Written back in wascap's positions.
        #expect(token.claims.json.compactText.hasPrefix(#"{"exp":100,"jti":"x","iat":1,"iss":"\#(iss)","sub":"\#(sub)","nbf":50,"wascap""#))
    }

    @Test(arguments: [
        (#"{"iat":1,"iss":"I","sub":"S","wascap":{"vendor":"v","target_hashes":{}}}"#, WascapError.missingClaim("jti")),
        (#"{"jti":"x","iat":1,"iss":"I","sub":"S"}"#, .missingClaim("wascap")),
        (#"{"jti":"x","iat":1,"iss":"I","sub":"S","wascap":{"target_hashes":{}}}"#, .missingClaim("wascap.vendor")),
        (#"{"jti":"x","iat":1,"iss":"I","sub":"S","wascap":{"vendor":"v"}}"#, .missingClaim("wascap.target_hashes")),
        (#"{"jti":"x","iat":-1,"iss":"I","sub":"S","wascap":{"vendor":"v","target_hashes":{}}}"#, .invalidClaim("iat", expected: "an unsigned integer (unix seconds)")),
        (#"{"jti":"x","iat":1,"iss":"I","sub":"S","wascap":{"vendor":"v","rev":"1","target_hashes":{}}}"#, .invalidClaim("wascap.rev", expected: "an integer")),
        (#"{"jti":"x","iat":1,"iss":"I","sub":"S","wascap":{"vendor":"v","target_hashes":{"a":"12"}}}"#, .invalidClaim("wascap.target_hashes.a", expected: "64 hexadecimal characters (a SHA-256)")),
        (#"[1]"#, .invalidClaim("claims", expected: "a JSON object")),
    ])
    func invalidClaimsAreNamed(json: String, expected: WascapError) {
        #expect(throws: expected) { try ClaimsToken(decoding: handSigned(json)) }
    }

    @Test func malformedTokens() {
        #expect(throws: WascapError.malformedToken("found 2 segments")) { try ClaimsToken(decoding: "a.b") }
        #expect(throws: WascapError.invalidBase64(segment: "claims")) { try ClaimsToken(decoding: "eyJ9.a*b.c") }
        #expect(throws: WascapError.unsupportedAlgorithm("none")) {
            try ClaimsToken(decoding: handSigned("{}", header: #"{"typ":"jwt","alg":"none"}"#))
        }
    }
}

@Suite("JSON")
struct JSONTests {
    @Test func parseErrorsCarryPositionAndCaret() {
        let text = "{\n  \"a\": 1,\n  \"b\" 2\n}"
        #expect(throws: WascapError.invalidJSON(source: "schema.json", line: 3, column: 7, message: "expected ':' after the key", snippet: "  \"b\" 2\n      ^")) {
            try JSONValue(parsing: Array(text.utf8), source: "schema.json")
        }
        let error = WascapError.invalidJSON(source: "schema.json", line: 3, column: 7, message: "expected ':' after the key", snippet: "  \"b\" 2\n      ^")
        #expect(error.description == "schema.json:3:7: expected ':' after the key\n  \"b\" 2\n      ^")
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\":1,}", "01", "1.", "-", "tru", "\"\\x\"", "\"\u{01}\"", "\"\\ud800\"", "{\"a\":1,\"a\":2}",
        "// c\n1", "1 2", "\u{FEFF}1", "NaN",
    ])
    func rejectsInvalidJSON(text: String) {
        #expect(throws: WascapError.self) { try JSONValue(parsing: Array(text.utf8), source: "t") }
    }

    @Test func rejectsInvalidUTF8AndDeepNesting() {
        #expect(throws: WascapError.self) { try JSONValue(parsing: [0x22, 0xFF, 0x22], source: "t") }
        let deep = String(repeating: "[", count: 129) + String(repeating: "]", count: 129)
        #expect(throws: WascapError.self) { try JSONValue(parsing: Array(deep.utf8), source: "t") }
        let ok = String(repeating: "[", count: 128) + String(repeating: "]", count: 128)
        #expect(throws: Never.self) { try JSONValue(parsing: Array(ok.utf8), source: "t") }
    }

    @Test func parsesEscapesAndKeepsOrder() throws {
        let value = try JSONValue(parsing: Array(#" {"z":"\u00e9\ud83d\ude00\/\n","a":[-0.5E+2,false]} "#.utf8), source: "t")
        #expect(value == .object([JSONMember("z", .string("é😀/\n")), JSONMember("a", .array([.number("-0.5E+2"), .bool(false)]))]))
        #expect(value.compactText == #"{"z":"é😀/\n","a":[-0.5E+2,false]}"#)
    }
}

/// Inputs `Scripts/fuzz fuzz-jwt` found, kept so the bugs stay fixed (see docs/hardening.md).
@Suite("Fuzz regressions")
struct WascapFuzzRegressionTests {
    /// fuzz-jwt (the canonical-segment invariant): a 64-byte signature is 86 base64url characters whose last
    /// one carries 4 unused bits. Setting them left the token decodable with a valid signature, so one
    /// signed token had 16 spellings; now the altered ones are rejected.
    @Test func signatureWithNonzeroUnusedBits() throws {
        let token = try ClaimsToken.sign(claims(), issuer: account).encoded
        #expect(try ClaimsToken(decoding: token).signatureIsValid)
        let last = try #require(token.utf8.last)
        let index = try #require(Base64URL.alphabet.firstIndex(of: last))
        #expect(index & 0b1111 == 0)
        for unused in 1..<16 {
            let altered = String(token.dropLast()) + String(UnicodeScalar(Base64URL.alphabet[index | unused]))
            #expect(throws: WascapError.invalidBase64(segment: "signature")) { try ClaimsToken(decoding: altered) }
        }
    }

    @Test func base64URLRejectsNonzeroUnusedBits() {
        #expect(Base64URL.decode("QQ") == [0x41])
        #expect(Base64URL.decode("QR") == nil)  // "R" sets one of the 4 unused bits
        #expect(Base64URL.decode("QUE") == [0x41, 0x41])
        #expect(Base64URL.decode("QUF") == nil)  // 2 unused bits
        #expect(Base64URL.decode("QQ==") == [0x41])  // padding is still tolerated
    }
}
