import Testing
import TOMLLite

@Suite("Strings")
struct StringTests {
    @Test(arguments: [
        (#"s = "plain""#, "plain"),
        (#"s = """#, ""),
        (#"s = "tab\there""#, "tab\there"),
        (#"s = "\b\t\n\f\r\"\\""#, "\u{08}\t\n\u{0C}\r\"\\"),
        (#"s = "\u00E9\U0001F600""#, "é😀"),
        (#"s = "raw é and 😀""#, "raw é and 😀"),
        ("s = \"a\tb\"", "a\tb"),
        (#"s = 'C:\Users\nodejs'"#, #"C:\Users\nodejs"#),
        (#"s = '<\i\c*\s*>'"#, #"<\i\c*\s*>"#),
        (#"s = ''"#, ""),
    ])
    func singleLine(document: String, expected: String) throws {
        #expect(try parse(document)["s"] == .string(expected))
    }

    @Test func multilineBasicTrimsFirstNewlineAndKeepsOthers() throws {
        let doc = try parse("s = \"\"\"\nRoses\nViolets\n\"\"\"")
        #expect(doc["s"] == "Roses\nViolets\n")
    }

    @Test func multilineBasicLineEndingBackslash() throws {
        let doc = try parse("s = \"\"\"\nThe quick \\\n\n    brown \\   \n  fox.\\\n\"\"\"")
        #expect(doc["s"] == "The quick brown fox.")
    }

    @Test func multilineQuotesNextToDelimiters() throws {
        #expect(try parse(#"s = """Here are two quotation marks: "". Simple enough.""""#)["s"]
            == #"Here are two quotation marks: "". Simple enough."#)
        // A raw string literal cannot end in a quote, so these are spelled with escapes.
        #expect(try parse("s = \"\"\"\"This,\" she said, \"is just a pointless statement.\"\"\"\"")["s"]
            == "\"This,\" she said, \"is just a pointless statement.\"")
        #expect(try parse(#"s = '''''single'' quotes'''''"#)["s"] == "''single'' quotes''")
    }

    @Test func multilineLiteralKeepsBackslashesAndTrimsFirstNewline() throws {
        let doc = try parse("s = '''\nThe first newline is\ntrimmed in raw strings.\n   \\n is literal\n'''")
        #expect(doc["s"] == "The first newline is\ntrimmed in raw strings.\n   \\n is literal\n")
    }

    @Test func crlfInMultilineStringsReadsAsLF() throws {
        let doc = try parse("a = \"\"\"\r\none\r\ntwo\"\"\"\r\nb = '''x\r\ny'''\r\n")
        #expect(doc["a"] == "one\ntwo")
        #expect(doc["b"] == "x\ny")
    }

    @Test(arguments: [
        (#"s = "\q""#, #"invalid escape sequence \q"#),
        (#"s = "\x41""#, #"invalid escape sequence \x"#),
        (#"s = "\uD800""#, "is not a Unicode scalar value"),
        (#"s = "\U00110000""#, "is not a Unicode scalar value"),
        (#"s = "\u12""#, "must be followed by exactly 4 hexadecimal digits"),
        ("s = \"no end\n", "expected '\"' to close the string"),
        ("s = 'no end\n", "expected \"'\" to close the literal string"),
        ("s = \"\"\"never closed", "expected \"\"\" to close the multi-line string"),
        ("s = \"a\u{01}b\"", "control character U+0001"),
        ("s = 'a\u{7F}b'", "control character U+007F"),
        ("s = \"\"\"a\u{00}b\"\"\"", "control character U+0000"),
        ("s = \"\"\"a\rb\"\"\"", "control character U+000D"),
        ("s = \"\"\"a \\ b\"\"\"", "a backslash followed by blanks must end the line"),
        ("s = \"\"\"a\"\"\"\"\"\"", "too many quotes"),
    ])
    func rejected(document: String, messageFragment: String) {
        expectRejected(document, withMessageContaining: messageFragment)
    }
}
