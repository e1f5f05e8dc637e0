import Testing
import TOMLLite

@Suite("Arrays, tables and keys")
struct StructureTests {
    @Test func arrays() throws {
        let doc = try parse(
            """
            empty = []
            ints = [ 1, 2, 3, ]
            mixed = [ 1, "two", 3.0, [4], { five = 5 } ]
            nested = [[1, 2], ["a", 'b']]
            spread = [  # comment after the bracket
              1,  # one
              # a comment line
              2
            ,]
            """)
        #expect(doc["empty"] == [])
        #expect(doc["ints"] == [1, 2, 3])
        #expect(doc["mixed"] == [1, "two", 3.0, [4], ["five": 5]])
        #expect(doc["nested"] == [[1, 2], ["a", "b"]])
        #expect(doc["spread"] == [1, 2])
    }

    @Test(arguments: [
        ("a = [1 2]", "expected ',' or ']' after an array element"),
        ("a = [,]", "expected a value, found ','"),
        ("a = [1,,2]", "expected a value, found ','"),
        ("a = [1, 2", "expected ']' to close the array that starts at line 1"),
    ])
    func badArrays(document: String, messageFragment: String) {
        expectRejected(document, withMessageContaining: messageFragment)
    }

    @Test func inlineTables() throws {
        let doc = try parse(
            """
            name = { first = "Tom", last = "Preston-Werner" }
            point = {x=1,y=2}
            animal = { type.name = "pug", type.size = "small" }
            empty = {}
            deep = { a = { b = { c = [ { d = 1 } ] } } }
            """)
        #expect(doc["name"] == ["first": "Tom", "last": "Preston-Werner"])
        #expect(doc["point"] == ["x": 1, "y": 2])
        #expect(doc["animal"] == ["type": ["name": "pug", "size": "small"]])
        #expect(doc["empty"] == .table(TOMLTable()))
        #expect(doc["deep"]?["a"]?["b"]?["c"] == [["d": 1]])
    }

    @Test(arguments: [
        ("a = {x = 1,}", "a trailing comma is not allowed in an inline table"),
        ("a = {x = 1\n}", "an inline table must stay on one line"),
        ("a = {\nx = 1}", "an inline table must stay on one line"),
        ("a = {x = 1, x = 2}", "duplicate key \"x\""),
        ("a = {b = {c = 1}, b.d = 2}", "\"b\" is an inline table (defined at line 1); inline tables cannot be extended"),
        ("a = {b = 1}\n[a]", "\"a\" is an inline table (defined at line 1)"),
        ("a = {b = 1}\n[a.c]", "\"a\" is an inline table (defined at line 1)"),
        ("a = {b = 1}\na.c = 2", "\"a\" is an inline table (defined at line 1)"),
        ("a = {x = 1 y = 2}", "expected ',' or '}' in an inline table"),
    ])
    func inlineTablesAreClosed(document: String, messageFragment: String) {
        expectRejected(document, withMessageContaining: messageFragment)
    }

    @Test func keys() throws {
        let doc = try parse(
            """
            bare_key-1 = 1
            1234 = 2
            "quoted key ✓" = 3
            'literal "key"' = 4
            "" = 5
            site."google.com" = true
            fruit . color = "yellow"
            3.14159 = "pi"
            true = "key named true"
            """)
        #expect(doc.keys == ["bare_key-1", "1234", "quoted key ✓", "literal \"key\"", "", "site", "fruit", "3", "true"])
        #expect(doc["site"]?["google.com"] == true)
        #expect(doc["fruit"]?["color"] == "yellow")
        #expect(doc["3"]?["14159"] == "pi")
        #expect(doc["true"] == "key named true")
    }

    @Test func keysCompareByBytesNotByUnicodeEquivalence() throws {
        // U+00E9 and "e" + U+0301 are canonically equivalent but different keys in TOML.
        let doc = try parse("\"\u{E9}\" = 1\n\"e\u{301}\" = 2")
        #expect(doc.count == 2)
        #expect(doc["\u{E9}"] == 1)
        #expect(doc["e\u{301}"] == 2)
    }

    @Test func headersAndImplicitTables() throws {
        let doc = try parse(
            """
            [a.b.c]
            x = 1
            [a]
            y = 2
            [ a . "quoted" ]
            z = 3
            [dog."tater.man"]
            type.name = "pug"
            [fruit]
            apple.color = "red"
            [fruit.apple.texture]
            smooth = true
            """)
        #expect(doc["a"] == ["b": ["c": ["x": 1]], "y": 2, "quoted": ["z": 3]])
        #expect(doc["dog"]?["tater.man"]?["type"]?["name"] == "pug")
        #expect(doc["fruit"] == ["apple": ["color": "red", "texture": ["smooth": true]]])
    }

    @Test func arraysOfTables() throws {
        let doc = try parse(
            """
            [[products]]
            name = "Hammer"
            [[products]]  # empty element
            [[products]]
            name = "Nail"
            [[fruits]]
            name = "apple"
            [fruits.physical]
            color = "red"
            [[fruits.varieties]]
            name = "red delicious"
            [[fruits.varieties]]
            name = "granny smith"
            [[fruits]]
            name = "banana"
            [[fruits.varieties]]
            name = "plantain"
            """)
        #expect(doc["products"] == [["name": "Hammer"], [:], ["name": "Nail"]])
        #expect(doc["fruits"] == [
            [
                "name": "apple", "physical": ["color": "red"],
                "varieties": [["name": "red delicious"], ["name": "granny smith"]],
            ],
            ["name": "banana", "varieties": [["name": "plantain"]]],
        ])
    }

    @Test(arguments: [
        ("a = 1\na = 2", "duplicate key \"a\" (first defined at line 1)"),
        ("[t]\n[t]", "table [t] is defined twice (first at line 1)"),
        ("[a.b]\n[a]\n[a]", "table [a] is defined twice (first at line 1)"),
        ("[t]\nx = 1\n[t.x]", "\"t.x\" is already defined as an integer at line 2, so it cannot be a table"),
        ("a.b = 1\n[a]", "table [a] was already defined with dotted keys at line 1"),
        ("[t1]\nt2.t3.v = 0\n[t1.t2]", "table [t1.t2] was already defined with dotted keys at line 2"),
        ("[a.b.c]\nz = 9\n[a]\nb.c.t = 1", "cannot add keys to table [a.b.c] with dotted keys: it was defined by a header at line 1"),
        ("[[a.b]]\n[a]\nb.y = 2", "cannot add keys to \"a.b\" with dotted keys: it is an array of tables"),
        ("a = [1]\n[[a]]", "cannot use [[a]]: \"a\" is a static array (defined at line 1), not an array of tables"),
        ("[a]\n[[a]]", "cannot use [[a]]: \"a\" is already a table (defined at line 1)"),
        ("[[a]]\n[a]", "\"a\" is an array of tables (defined at line 1); use [[a]] to add an element"),
        ("a = 1\na.b = 2", "\"a\" is already defined as an integer at line 1, so it cannot be a table"),
        ("a.b.c = 1\na.b = 2", "duplicate key \"a.b\" (first defined at line 1)"),
        ("[]", "expected a key, found ']'"),
        ("[a.]", "expected a key, found ']'"),
        ("[a", "expected ']' to close the table header [a], found end of file"),
        ("[[a]", "expected ']]' to close the array-of-tables header [[a]]"),
        ("[ [a]]", "expected a key, found '['"),
        ("[a] b = 1", "unexpected 'b' after the table header; expected a new line"),
        ("a = 1 b = 2", "unexpected 'b' after the value of \"a\"; expected a new line"),
        ("a = \n1", "expected a value, found end of line"),
        ("= 1", "missing key before '='"),
        ("a b = 1", "expected '=' after key \"a\", found 'b'"),
        ("\"\"\"k\"\"\" = 1", "a multi-line string cannot be used as a key"),
        ("k\n= 1", "expected '=' after key \"k\", found end of line"),
        ("a.\"b c\" = 1\na.\"b c\" = 2", "duplicate key a.\"b c\" (first defined at line 1)"),
    ])
    func redefinitionsAndSyntax(document: String, message: String) {
        expectRejected(document, withMessageContaining: message)
    }

    @Test func nestingIsLimited() throws {
        let deep = String(repeating: "[", count: 1000) + String(repeating: "]", count: 1000)
        let error = try #require(parseError("a = " + deep))
        #expect(error.message == "tables and arrays are nested more than 128 levels deep")
        let deepInline = String(repeating: "{a=", count: 200) + "1" + String(repeating: "}", count: 200)
        #expect(parseError("x = " + deepInline)?.message.contains("nested more than 128") == true)
        let deepHeader = "[" + Array(repeating: "k", count: 300).joined(separator: ".") + "]"
        #expect(parseError(deepHeader)?.message.contains("nested more than 128") == true)
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(parseError("a = " + fine) == nil)
    }
}
