import Foundation
import Testing
import TOMLLite

/// Inputs that a quadratic parser would take minutes on (10^5 keys in one table, 10^5 elements on one
/// line, positions on a 1 MB line); each must parse in seconds even in a debug build.
@Suite("Linear time on large inputs")
struct ScalingTests {
    static let limit: Duration = .seconds(20)

    func timed(_ text: String) throws -> (TOMLTable, Duration) {
        let bytes = Array(text.utf8)
        let clock = ContinuousClock()
        var table = TOMLTable()
        let elapsed = try clock.measure { table = try TOMLTable(parsing: bytes) }
        return (table, elapsed)
    }

    @Test func manyKeysInOneTable() throws {
        let text = "[big]\n" + (0..<100_000).map { "key_\($0) = \($0)" }.joined(separator: "\n")
        let (table, elapsed) = try timed(text)
        #expect(table["big"]?["key_99999"] == 99_999)
        #expect(table["big"]?.tableValue?.count == 100_000)
        #expect(elapsed < Self.limit)
    }

    @Test func longLinesWithManyPositions() throws {
        let inline = "t = { " + (0..<50_000).map { "k\($0) = \"\($0)\"" }.joined(separator: ", ") + " }"
        let array = "a = [" + (0..<100_000).map(String.init).joined(separator: ",") + "]"
        let (table, elapsed) = try timed(array + "\n" + inline)
        #expect(table["a"]?.arrayValue?.count == 100_000)
        let last = try #require(table["t"]?.tableValue?.entry(forKey: "k49999"))
        #expect(last.keyPosition?.line == 2)
        #expect((last.keyPosition?.column ?? 0) > 500_000)
        #expect(elapsed < Self.limit)
    }

    @Test func manyTablesAndLongStrings() throws {
        let tables = (0..<20_000).map { "[[items]]\nid = \($0)\n[items.detail]\nname = \"n\($0)\"" }.joined(separator: "\n")
        let long = "s = \"" + String(repeating: "x\\n", count: 200_000) + "\""
        let (table, elapsed) = try timed(tables + "\n[text]\n" + long)
        #expect(table["items"]?.arrayValue?.count == 20_000)
        #expect(table["text"]?["s"]?.stringValue?.utf8.count == 400_000)
        #expect(elapsed < Self.limit)
    }
}
