import Testing
import TOMLLite

@Suite("Tagged JSON (toml-test decoder output)")
struct TaggedJSONTests {
    func json(_ text: String) throws -> String {
        String(decoding: try parse(text).taggedJSON(), as: UTF8.self)
    }

    @Test func scalars() throws {
        #expect(try json(#"s = "a\"b\\c\nd\u0001é""#) == #"{"s":{"type":"string","value":"a\"b\\c\nd\u0001é"}}"#)
        #expect(try json("i = 0o17") == #"{"i":{"type":"integer","value":"15"}}"#)
        #expect(try json("i = -9_223_372_036_854_775_808") == #"{"i":{"type":"integer","value":"-9223372036854775808"}}"#)
        #expect(try json("b = false") == #"{"b":{"type":"bool","value":"false"}}"#)
    }

    @Test(arguments: [
        ("0.1", "0.1"), ("1e100", "1e+100"), ("-0.0", "-0.0"), ("inf", "inf"), ("-inf", "-inf"), ("nan", "nan"),
        ("-nan", "nan"), ("3.0", "3.0"), ("1_000.5", "1000.5"), ("5e-324", "5e-324"),
    ])
    func floatsPrintRoundTrippably(text: String, printed: String) throws {
        #expect(try json("f = \(text)") == #"{"f":{"type":"float","value":"\#(printed)"}}"#)
    }

    @Test(arguments: [
        ("1979-05-27 07:32:00.120z", "datetime", "1979-05-27T07:32:00.120Z"),
        ("1979-05-27t07:32:00+00:00", "datetime", "1979-05-27T07:32:00+00:00"),
        ("0001-01-01T00:00:00-23:59", "datetime", "0001-01-01T00:00:00-23:59"),
        ("1979-05-27T07:32:00", "datetime-local", "1979-05-27T07:32:00"),
        ("1979-05-27", "date-local", "1979-05-27"),
        ("07:32:00.0000000001", "time-local", "07:32:00.0000000001"),
    ])
    func datesPrintAsWritten(text: String, type: String, printed: String) throws {
        #expect(try json("d = \(text)") == #"{"d":{"type":"\#(type)","value":"\#(printed)"}}"#)
    }

    @Test func structure() throws {
        let text = """
            [[t]]
            a = [1, [], {}]
            [[t]]
            "k\\"q" = {x.y = true}
            """
        #expect(
            try json(text) == #"{"t":[{"a":[{"type":"integer","value":"1"},[],{}]},{"k\"q":{"x":{"y":{"type":"bool","value":"true"}}}}]}"#
        )
    }
}
