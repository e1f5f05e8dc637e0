#if canImport(Glibc)
    import Glibc
#endif
import Foundation
import FuzzSupport
import Wascap

/// The input is read three ways, each of which must succeed or throw `WascapError`, never crash or hang:
/// - as a compact claims token (`ClaimsToken(decoding:)`): what decodes keeps its text, decodes again
///   to the same token, has three canonical base64url segments (no other text decodes to its bytes, so
///   its signature cannot be altered without breaking it), and can be judged (signature, times);
/// - as JSON (`JSONValue(parsing:)`): what parses prints (`compactText`) as JSON that parses back to
///   the same value;
/// - as claims JSON (`ProviderClaims(json:)`): what reads writes back (`json`) as claims that read back
///   equal.
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = bytes(data, size)
    let text = String(decoding: input, as: UTF8.self)
    let decoded = Result { () throws(WascapError) in try ClaimsToken(decoding: text) }
    if case .failure(let error) = decoded { _ = error.description }
    if case .success(let token) = decoded {
        precondition((try? ClaimsToken(decoding: token.encoded)) == token, "token does not decode to itself")
        for segment in token.encoded.split(separator: ".", omittingEmptySubsequences: false) {
            precondition(isCanonicalBase64URL(segment), "segment \(segment) is not canonical base64url")
        }
        _ = token.validate(at: 1_700_000_000)
        checkClaimsRoundTrip(token.claims)
    }
    if let value = try? JSONValue(parsing: input, source: "fuzz") {
        let printed = value.compactText
        precondition((try? JSONValue(parsing: Array(printed.utf8), source: "printed")) == value, "JSON round trip: \(printed)")
        if let claims = try? ProviderClaims(json: value) {
            checkClaimsRoundTrip(claims)
        }
    }
    return 0
}

func checkClaimsRoundTrip(_ claims: ProviderClaims) {
    let written = claims.json
    precondition((try? ProviderClaims(json: written)) == claims, "claims round trip: \(written.compactText)")
    _ = claims.deterministicID
}

/// Whether Foundation's base64 decoder accepts the segment (padding ignored) and its encoder gives it back.
func isCanonicalBase64URL(_ segment: Substring) -> Bool {
    var text = segment.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    while text.hasSuffix("=") { text.removeLast() }
    let unpadded = text
    text += String(repeating: "=", count: (4 - text.count % 4) % 4)
    guard let data = Data(base64Encoded: text) else { return false }
    var again = data.base64EncodedString()
    while again.hasSuffix("=") { again.removeLast() }
    return again == unpadded
}

runFuzzer(testOneInput)
