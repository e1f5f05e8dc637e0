import Testing
import TOMLLite

@Suite("TOMLTable")
struct TableTests {
    @Test func keepsDefinitionOrder() throws {
        let doc = try parse("z = 1\na = 2\n[m]\n[b]\n[m.x]\n")
        #expect(doc.keys == ["z", "a", "m", "b"])
        #expect(doc["m"]?.tableValue?.keys == ["x"])
        #expect(doc.map(\.key) == ["z", "a", "m", "b"])
    }

    @Test func recordsKeyAndValuePositions() throws {
        let doc = try parse(
            """
            name = "x"
              [provider]
            vendor   =   'v'
            [rust.deep]
            list = [
              1 ]
            inline = { k = 1 }
            """)
        let name = try #require(doc.entry(forKey: "name"))
        #expect(name.keyPosition == TOMLPosition(line: 1, column: 1))
        #expect(name.valuePosition == TOMLPosition(line: 1, column: 8))
        let provider = try #require(doc.entry(forKey: "provider"))
        #expect(provider.keyPosition == TOMLPosition(line: 2, column: 4))
        #expect(provider.valuePosition == TOMLPosition(line: 2, column: 3))
        let vendor = try #require(doc["provider"]?.tableValue?.entry(forKey: "vendor"))
        #expect(vendor.keyPosition == TOMLPosition(line: 3, column: 1))
        #expect(vendor.valuePosition == TOMLPosition(line: 3, column: 14))
        let rust = try #require(doc.entry(forKey: "rust"))
        #expect(rust.keyPosition == TOMLPosition(line: 4, column: 2))
        let deep = try #require(doc["rust"]?.tableValue)
        #expect(deep.entry(forKey: "deep")?.keyPosition == TOMLPosition(line: 4, column: 7))
        let list = try #require(deep["deep"]?.tableValue?.entry(forKey: "list"))
        #expect(list.valuePosition == TOMLPosition(line: 5, column: 8))
        let inline = try #require(deep["deep"]?["inline"]?.tableValue?.entry(forKey: "k"))
        #expect(inline.keyPosition == TOMLPosition(line: 7, column: 12))
        #expect(inline.valuePosition == TOMLPosition(line: 7, column: 16))
    }

    @Test func implicitTableTakesTheHeaderPositionWhenDefined() throws {
        let doc = try parse("[a.b]\nx = 1\n\n[a]\ny = 2")
        let a = try #require(doc.entry(forKey: "a"))
        #expect(a.keyPosition == TOMLPosition(line: 1, column: 2))
        #expect(a.valuePosition == TOMLPosition(line: 4, column: 1))
    }

    @Test func columnsCountCharactersOnLongLines() throws {
        let longArray = (0..<5000).map(String.init).joined(separator: ", ")
        let doc = try parse("\"é\" = 1\nx = [\(longArray)] \ny = { \"ü\" = 1, z = 2 }")
        #expect(doc["x"]?.arrayValue?.count == 5000)
        let z = try #require(doc["y"]?.tableValue?.entry(forKey: "z"))
        #expect(z.keyPosition == TOMLPosition(line: 3, column: 16))
    }

    @Test func editing() {
        var table: TOMLTable = ["a": 1, "b": "two"]
        #expect(table.count == 2)
        table["c"] = [true]
        #expect(table.keys == ["a", "b", "c"])
        #expect(table.updateValue(10, forKey: "a") == 1)
        #expect(table.keys == ["a", "b", "c"])
        #expect(table.removeValue(forKey: "b") == "two")
        #expect(table.keys == ["a", "c"])
        table["a"] = nil
        #expect(table.keys == ["c"])
        #expect(table["missing"] == nil)
        #expect(!table.contains(key: "a"))
        #expect(table.contains(key: "c"))
    }

    @Test func largeTablesStayIndexedThroughEdits() throws {
        var table = TOMLTable()
        for n in 0..<100 { table["k\(n)"] = .integer(Int64(n)) }
        #expect(table["k57"] == 57)
        table.removeValue(forKey: "k10")
        #expect(table["k57"] == 57)
        #expect(table["k10"] == nil)
        #expect(table.count == 99)
        #expect(table[table.count - 1].key == "k99")
        let parsed = try parse((0..<100).map { "k\($0) = \($0)" }.joined(separator: "\n"))
        #expect(parsed != table)
        table["k10"] = 10
        #expect(parsed == table)
        #expect(table.keys.last == "k10")
        #expect(parseError((0..<100).map { "k\($0) = 1" }.joined(separator: "\n") + "\nk42 = 2")?.message
            == "duplicate key \"k42\" (first defined at line 43)")
    }

    @Test func equalityIgnoresOrderAndPositions() throws {
        let a = try parse("x = 1\ny = [1, {z = 'q'}]")
        let b = try parse("\n\ny = [ 1, { z = \"q\" } ]\nx = 1")
        #expect(a == b)
        #expect(a != (try parse("x = 1\ny = [1, {z = 'r'}]")))
        #expect(a != (try parse("x = 1")))
    }

    @Test func valueAccessors() {
        let value: TOMLValue = ["s": "text", "i": 3, "f": 1.5, "b": false, "a": [1], "t": ["k": "v"]]
        #expect(value["s"]?.stringValue == "text")
        #expect(value["i"]?.integerValue == 3)
        #expect(value["f"]?.floatValue == 1.5)
        #expect(value["b"]?.boolValue == false)
        #expect(value["a"]?.arrayValue == [1])
        #expect(value["t"]?["k"] == "v")
        #expect(value["s"]?.integerValue == nil)
        #expect(value["i"]?.floatValue == nil)
        #expect(value["s"]?["k"] == nil)
        let names = ["s", "i", "f", "b", "a", "t"].compactMap { value[$0]?.typeName }
        #expect(names == ["string", "integer", "float", "boolean", "array", "table"])
    }
}
