import Foundation
import Testing
import TOMLLite

/// The whole text of errors, position and caret snippet included.
@Suite("Error messages")
struct ErrorTextTests {
    @Test func missingEquals() throws {
        let error = try #require(parseError("language = \"rust\"\nname \"x\"\n", file: "wasmcloud.toml"))
        #expect(
            error.description == """
                wasmcloud.toml:2:6: expected '=' after key "name", found '"'
                name "x"
                     ^
                """)
        #expect(error.line == 2)
        #expect(error.column == 6)
        #expect(error.fileName == "wasmcloud.toml")
        #expect(error.errorDescription == error.description)
    }

    @Test func duplicateKeyNamesTheFirstLine() throws {
        let error = try #require(parseError("[provider]\nname = \"a\"\nvendor = \"x\"\n\nvendor = \"y\"\n"))
        #expect(
            error.description == """
                <input>:5:1: duplicate key "vendor" (first defined at line 3)
                vendor = "y"
                ^
                """)
    }

    @Test func tableDefinedTwice() throws {
        let error = try #require(parseError("[a]\nx = 1\n  [a]  \n", file: "f.toml"))
        #expect(error.description == "f.toml:3:3: table [a] is defined twice (first at line 1)\n  [a]  \n  ^")
    }

    @Test func caretKeepsTabsAndCountsCharactersNotBytes() throws {
        let error = try #require(parseError("\t\"é\" = 1x"))
        #expect(error.column == 8)
        #expect(
            error.description == """
                <input>:1:8: invalid value "1x" (expected a number, date or time; found 'x' inside it)
                \t"é" = 1x
                \t      ^
                """)
    }

    @Test func unterminatedStringPointsAtTheLineEnd() throws {
        let error = try #require(parseError("a = 1\r\ns = \"abc\r\n"))
        #expect(
            error.description == """
                <input>:2:9: expected '"' to close the string that starts at column 5, found end of line
                s = "abc
                        ^
                """)
    }

    @Test func endOfFilePosition() throws {
        let error = try #require(parseError("a = [\n  1,\n"))
        #expect(
            error.description == """
                <input>:3:1: expected ']' to close the array that starts at line 1, found end of file

                ^
                """)
    }

    @Test func controlCharactersInTheSnippetAreReplaced() throws {
        let error = try #require(parseError("# bell \u{07} here"))
        #expect(
            error.description == """
                <input>:1:8: control character U+0007 is not allowed in a comment
                # bell \u{FFFD} here
                       ^
                """)
    }

    @Test func errorsFromLaterLayersUseTheSameFormat() throws {
        let source = Array("name = \"x\"\n[build]\ncommand = \"make\"\n".utf8)
        let table = try TOMLTable(parsing: source)
        let position = try #require(table.entry(forKey: "build")?.keyPosition)
        let error = TOMLError(message: "`build` must be a string", at: position, in: source, fileName: "w.toml")
        #expect(
            error.description == """
                w.toml:2:2: `build` must be a string
                [build]
                 ^
                """)
        #expect(error.headline == "w.toml:2:2: `build` must be a string")
        #expect(error.location == "w.toml:2:2")
    }

    @Test func invalidUTF8IsReportedWhereItIs() throws {
        let error = try #require(parseError(bytes: Array("a = 1\nb = \"".utf8) + [0xC3, 0x28] + Array("\"".utf8)))
        #expect(error.message == "invalid UTF-8 sequence (TOML files must be UTF-8)")
        #expect(error.line == 2 && error.column == 6)
    }
}
