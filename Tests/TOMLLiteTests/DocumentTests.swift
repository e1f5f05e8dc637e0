import Foundation
import Testing
import TOMLLite

@Suite("Documents: encoding, line ends, comments")
struct DocumentTests {
    @Test func emptyDocuments() throws {
        #expect(try parse("").isEmpty)
        #expect(try parse("\n\n  # only a comment\n\t\n").isEmpty)
        #expect(try TOMLTable(parsing: [UInt8]()).isEmpty)
    }

    @Test func byteOrderMarkIsSkippedAtTheStartOnly() throws {
        let doc = try TOMLTable(parsing: [0xEF, 0xBB, 0xBF] + Array("a = 1".utf8))
        #expect(doc["a"] == 1)
        #expect(doc.entry(forKey: "a")?.keyPosition == TOMLPosition(line: 1, column: 1))
        #expect(parseError(bytes: Array("a = 1\n".utf8) + [0xEF, 0xBB, 0xBF]) != nil)
    }

    @Test func crlfLineEnds() throws {
        let doc = try parse("a = 1\r\n[t]\r\nb = \"x\" # c\r\n")
        #expect(doc["a"] == 1)
        #expect(doc["t"]?["b"] == "x")
        #expect(doc.entry(forKey: "t")?.keyPosition == TOMLPosition(line: 2, column: 2))
    }

    @Test(arguments: [
        ("a = 1\rb = 2", "carriage return must be followed by a line feed"),
        ("# comment \r", "control character U+000D is not allowed in a comment"),
        ("a = 1 # x\u{00}", "control character U+0000 is not allowed in a comment"),
        ("a = 1 # x\u{7F}", "control character U+007F is not allowed in a comment"),
        ("\u{0C}a = 1", "expected a key, found control character U+000C"),
        ("\u{3000}a = 1", "expected a key, found '\u{3000}' (U+3000)"),
    ])
    func controlCharacters(document: String, messageFragment: String) {
        expectRejected(document, withMessageContaining: messageFragment)
    }

    @Test func commentsMayHoldAnyTextButControls() throws {
        let doc = try parse("# ☃ \t tab and \"quotes\" [not a table]\na = 1 # trailing ✓\n#last")
        #expect(doc.keys == ["a"])
    }

    @Test(arguments: [
        [0xFF] as [UInt8],
        [0xC0, 0x80],  // overlong NUL
        [0xED, 0xA0, 0x80],  // UTF-16 surrogate
        [0xF4, 0x90, 0x80, 0x80],  // above U+10FFFF
        [0xE2, 0x82],  // truncated
    ])
    func invalidUTF8InCommentsIsRejected(bytes: [UInt8]) throws {
        let error = try #require(parseError(bytes: Array("# ".utf8) + bytes + Array("\na = 1".utf8)))
        #expect(error.message.contains("UTF-8"))
        #expect(error.position == TOMLPosition(line: 1, column: 3))
    }

    @Test func inputKindsAgree() throws {
        let text = "a = \"é\"\n[b]\nc = [1, 2]\n"
        let fromString = try TOMLTable(parsing: text)
        let fromBytes = try TOMLTable(parsing: Array(text.utf8))
        let fromData = try TOMLTable(parsing: Data(text.utf8))
        #expect(fromString == fromBytes)
        #expect(fromBytes == fromData)
        #expect(fromString["a"] == "é")
    }
}
