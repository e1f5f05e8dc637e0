extension TOMLTable {
    /// The table in toml-test's "tagged JSON" form: tables as objects, arrays as arrays, every other value
    /// as `{"type": T, "value": S}` with `T` one of `string`, `integer`, `float`, `bool`, `datetime`,
    /// `datetime-local`, `date-local`, `time-local` and `S` the value as a string.
    ///
    /// Floats print round-trippably (`0.1`, `1e+100`, `inf`, `-inf`, `nan`, `-0.0`); dates and times print in
    /// RFC 3339 form with their fractional seconds exactly as written. Keys keep document order.
    /// - Returns: Compact JSON as UTF-8 bytes, without a trailing newline.
    public func taggedJSON() -> [UInt8] {
        var writer = TaggedJSONWriter()
        writer.write(self)
        return writer.bytes
    }
}

/// Writes tagged JSON into a byte buffer; recursion depth is bounded by the parser's nesting limit.
private struct TaggedJSONWriter {
    var bytes: [UInt8] = []

    mutating func write(_ table: TOMLTable) {
        bytes.append(UInt8(ascii: "{"))
        for (n, entry) in table.enumerated() {
            if n > 0 { bytes.append(UInt8(ascii: ",")) }
            writeString(entry.key)
            bytes.append(UInt8(ascii: ":"))
            write(entry.value)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    mutating func write(_ value: TOMLValue) {
        switch value {
        case .table(let table):
            write(table)
        case .array(let elements):
            bytes.append(UInt8(ascii: "["))
            for (n, element) in elements.enumerated() {
                if n > 0 { bytes.append(UInt8(ascii: ",")) }
                write(element)
            }
            bytes.append(UInt8(ascii: "]"))
        case .string(let string): writeTagged("string", string)
        case .integer(let integer): writeTagged("integer", String(integer))
        case .float(let float): writeTagged("float", Self.format(float))
        case .bool(let bool): writeTagged("bool", bool ? "true" : "false")
        case .offsetDateTime(let value): writeTagged("datetime", value.description)
        case .localDateTime(let value): writeTagged("datetime-local", value.description)
        case .localDate(let value): writeTagged("date-local", value.description)
        case .localTime(let value): writeTagged("time-local", value.description)
        }
    }

    static func format(_ float: Double) -> String {
        if float.isNaN { return "nan" }
        if float.isInfinite { return float < 0 ? "-inf" : "inf" }
        return float.description
    }

    mutating func writeTagged(_ type: StaticString, _ text: String) {
        append(#"{"type":""#)
        append(type)
        append(#"","value":"#)
        writeString(text)
        bytes.append(UInt8(ascii: "}"))
    }

    mutating func append(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    mutating func writeString(_ string: String) {
        bytes.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { utf8 in
            var run = 0
            for (n, b) in utf8.enumerated() where b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") || b == 0x7F {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run..<n]))
                run = n + 1
                writeEscape(b)
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func writeEscape(_ b: UInt8) {
        switch b {
        case UInt8(ascii: "\""): append(#"\""#)
        case UInt8(ascii: "\\"): append(#"\\"#)
        case 0x0A: append(#"\n"#)
        case 0x0D: append(#"\r"#)
        case 0x09: append(#"\t"#)
        case 0x08: append(#"\b"#)
        case 0x0C: append(#"\f"#)
        default:
            let hex = Array("0123456789abcdef".utf8)
            append(#"\u00"#)
            bytes.append(hex[Int(b >> 4)])
            bytes.append(hex[Int(b & 0xF)])
        }
    }
}
