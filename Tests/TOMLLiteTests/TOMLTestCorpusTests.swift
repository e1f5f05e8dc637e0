import Foundation
import SwashTestSupport
import Testing
import TOMLLite

/// Every TOML 1.0.0 case of the toml-test suite, read in place from the shared corpora: valid documents
/// must parse to the expected values, invalid ones must be rejected. (The `toml-decoder` executable is
/// checked against the same cases, output format included, by `make test`.)
@Suite("toml-test corpus", .enabled(if: Corpora.available, "needs ../shared/corpora"))
struct TOMLTestCorpusTests {
    static let cases: [String] = {
        guard let list = Corpora.file("toml-test/tests/files-toml-1.0.0"),
            let text = try? String(contentsOf: list, encoding: .utf8)
        else { return [] }
        return text.split(separator: "\n").map(String.init).filter { $0.hasSuffix(".toml") }
    }()

    @Test func theListHas709Cases() {
        #expect(Self.cases.count == 709)
        #expect(Self.cases.filter { $0.hasPrefix("valid/") }.count == 210)
        #expect(Self.cases.filter { $0.hasPrefix("invalid/") }.count == 499)
    }

    @Test(arguments: cases.filter { $0.hasPrefix("invalid/") })
    func invalidIsRejected(path: String) throws {
        let url = try #require(Corpora.file("toml-test/tests/" + path))
        let bytes = try [UInt8](Data(contentsOf: url))
        #expect(throws: TOMLError.self) { try TOMLTable(parsing: bytes) }
    }

    @Test(arguments: cases.filter { $0.hasPrefix("valid/") })
    func validMatchesTheExpectedValues(path: String) throws {
        let url = try #require(Corpora.file("toml-test/tests/" + path))
        let expectedURL = url.deletingPathExtension().appendingPathExtension("json")
        let document = try TOMLTable(parsing: try Data(contentsOf: url), fileName: path)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: expectedURL), options: [.fragmentsAllowed])
        let expected = try #require(Self.value(fromTagged: json))
        #expect(Self.same(.table(document), expected), "\(path): got \(document)")
    }

    /// The expected value described by toml-test's tagged JSON.
    static func value(fromTagged json: Any) -> TOMLValue? {
        if let array = json as? [Any] {
            let elements = array.compactMap(value(fromTagged:))
            return elements.count == array.count ? .array(elements) : nil
        }
        guard let object = json as? [String: Any] else { return nil }
        if object.count == 2, let type = object["type"] as? String, let text = object["value"] as? String {
            return scalar(type: type, text: text)
        }
        var table = TOMLTable()
        for (key, child) in object {
            guard let value = value(fromTagged: child) else { return nil }
            table[key] = value
        }
        return .table(table)
    }

    static func scalar(type: String, text: String) -> TOMLValue? {
        switch type {
        case "string": return .string(text)
        case "integer": return Int64(text).map(TOMLValue.integer)
        case "bool": return .bool(text == "true")
        case "float":
            switch text.lowercased() {
            case "nan", "+nan", "-nan": return .float(.nan)
            case "inf", "+inf": return .float(.infinity)
            case "-inf": return .float(-.infinity)
            default: return Double(text).map(TOMLValue.float)
            }
        case "datetime", "datetime-local", "date-local", "time-local":
            // toml-test's spellings are valid TOML values of the same kind.
            return (try? TOMLTable(parsing: "v = " + text))?["v"]
        default:
            return nil
        }
    }

    /// Equality where NaN equals NaN and date-times compare to the nanosecond.
    static func same(_ a: TOMLValue, _ b: TOMLValue) -> Bool {
        switch (a, b) {
        case (.float(let x), .float(let y)): return x == y || (x.isNaN && y.isNaN)
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy(same)
        case (.table(let x), .table(let y)):
            return x.count == y.count && x.allSatisfy { entry in y[entry.key].map { same(entry.value, $0) } ?? false }
        case (.offsetDateTime(let x), .offsetDateTime(let y)):
            return x.date == y.date && sameTime(x.time, y.time) && x.offset.totalMinutes == y.offset.totalMinutes
        case (.localDateTime(let x), .localDateTime(let y)): return x.date == y.date && sameTime(x.time, y.time)
        case (.localTime(let x), .localTime(let y)): return sameTime(x, y)
        default: return a == b
        }
    }

    static func sameTime(_ x: TOMLLocalTime, _ y: TOMLLocalTime) -> Bool {
        (x.hour, x.minute, x.second, x.nanosecond) == (y.hour, y.minute, y.second, y.nanosecond)
    }
}
