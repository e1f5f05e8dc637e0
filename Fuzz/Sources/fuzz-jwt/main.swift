#if canImport(Glibc)
    import Glibc
#endif
import FuzzSupport
import Wascap

/// The input is read three ways, each of which must succeed or throw `WascapError`, never crash or hang:
/// - as a compact claims token (`ClaimsToken(decoding:)`): what decodes keeps its text, decodes again
///   to the same token, and can be judged (signature, times);
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

runFuzzer(testOneInput)
