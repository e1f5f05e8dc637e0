#if canImport(Glibc)
    import Glibc
#endif
import Foundation
import FuzzSupport
import TOMLLite

/// Any bytes must parse or throw `TOMLError` — never crash, hang or exhaust memory — and a document that
/// parses must print as valid JSON in toml-test's tagged form (what `toml-decoder` prints), the same
/// every time, and parse to the same table from a `String` as from bytes.
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = bytes(data, size)
    let table: TOMLTable
    do { table = try TOMLTable(parsing: input) } catch {
        _ = error.description  // the message with its caret snippet must never trap either
        return 0
    }
    let json = table.taggedJSON()
    precondition(json == table.taggedJSON(), "tagged JSON is not deterministic")
    precondition(
        (try? JSONSerialization.jsonObject(with: Data(json), options: [.fragmentsAllowed])) != nil,
        "tagged JSON is not valid JSON: \(String(decoding: json, as: UTF8.self))")
    if let text = String(validating: input, as: UTF8.self) {
        // Compared as tagged JSON: a table holding NaN is not equal to itself.
        precondition((try? TOMLTable(parsing: text))?.taggedJSON() == json, "parsing a String gives another table")
    }
    return 0
}

runFuzzer(testOneInput)
