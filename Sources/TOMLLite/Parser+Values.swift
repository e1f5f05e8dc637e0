extension Parser {
    // MARK: - Values

    /// Reads the value starting at `i`.
    /// - Parameter depth: The depth the value sits at in the value tree (for the nesting limit).
    mutating func parseValue(depth: Int) throws(TOMLError) -> TOMLValue {
        guard i < end else { throw fail("expected a value, found end of file") }
        let b = src[i]
        switch b {
        case UInt8(ascii: "\""):
            if i + 2 < end, src[i + 1] == b, src[i + 2] == b { return .string(try parseMultilineBasicString()) }
            return .string(try parseBasicString())
        case UInt8(ascii: "'"):
            if i + 2 < end, src[i + 1] == b, src[i + 2] == b { return .string(try parseMultilineLiteralString()) }
            return .string(try parseLiteralString())
        case UInt8(ascii: "["):
            return try parseArray(depth: depth)
        case UInt8(ascii: "{"):
            return try parseInlineTable(depth: depth)
        case 0x0A, 0x0D:
            throw fail("expected a value, found end of line (a key needs a value on the same line)")
        case UInt8(ascii: "#"):
            throw fail("expected a value, found a comment")
        default:
            guard Self.isScalarTokenByte(b) else {
                throw fail("expected a value, found \(describeCharacter(at: i))")
            }
            return try parseScalarToken()
        }
    }

    func checkDepth(_ depth: Int) throws(TOMLError) {
        guard depth <= Self.maximumDepth else {
            throw fail("tables and arrays are nested more than \(Self.maximumDepth) levels deep")
        }
    }

    mutating func parseArray(depth: Int) throws(TOMLError) -> TOMLValue {
        try checkDepth(depth)
        let open = i
        i += 1
        var elements: [TOMLValue] = []
        while true {
            try skipBlanksCommentsAndNewlines()
            guard i < end else { throw unterminated("array", "]", open: open) }
            if src[i] == UInt8(ascii: "]") {
                i += 1
                return .array(elements)
            }
            elements.append(try parseValue(depth: depth + 1))
            try skipBlanksCommentsAndNewlines()
            guard i < end else { throw unterminated("array", "]", open: open) }
            switch src[i] {
            case UInt8(ascii: ","):
                i += 1
            case UInt8(ascii: "]"):
                i += 1
                return .array(elements)
            default:
                throw fail("expected ',' or ']' after an array element, found \(describeCharacter(at: i))")
            }
        }
    }

    mutating func parseInlineTable(depth: Int) throws(TOMLError) -> TOMLValue {
        try checkDepth(depth)
        let open = i
        i += 1
        let table = TableBuilder(origin: .inline, depth: depth, parent: nil, key: nil)
        skipBlanks()
        if i < end, src[i] == UInt8(ascii: "}") {
            i += 1
            return .table(table.freeze())
        }
        while true {
            if i < end, src[i] == 0x0A || src[i] == 0x0D {
                throw fail("an inline table must stay on one line (TOML 1.0): expected a key, found end of line")
            }
            try parseKeyValue(into: table)
            skipBlanks()
            guard i < end else { throw unterminated("inline table", "}", open: open) }
            switch src[i] {
            case UInt8(ascii: ","):
                i += 1
                skipBlanks()
                if i < end, src[i] == UInt8(ascii: "}") {
                    throw fail("a trailing comma is not allowed in an inline table (TOML 1.0)")
                }
            case UInt8(ascii: "}"):
                i += 1
                return .table(table.freeze())
            case 0x0A, 0x0D:
                throw fail("an inline table must stay on one line (TOML 1.0): expected ',' or '}', found end of line")
            default:
                throw fail("expected ',' or '}' in an inline table, found \(describeCharacter(at: i))")
            }
        }
    }

    func unterminated(_ what: String, _ closer: String, open: Int) -> TOMLError {
        let line = fail("", at: open).line
        return fail("expected '\(closer)' to close the \(what) that starts at line \(line), found end of file")
    }

    // MARK: - Booleans, numbers, dates and times

    /// Bytes that can appear in a bare value: booleans, numbers, `inf`/`nan`, dates and times.
    static func isScalarTokenByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "+"),
            UInt8(ascii: "."), UInt8(ascii: ":"):
            return true
        default:
            return false
        }
    }

    static func isDigit(_ b: UInt8) -> Bool { b &- 0x30 < 10 }

    mutating func parseScalarToken() throws(TOMLError) -> TOMLValue {
        let start = i
        while i < end, Self.isScalarTokenByte(src[i]) { i += 1 }
        // `1979-05-27 07:32:00`: a space may separate the date from the time.
        if i - start == 10, src[start + 4] == UInt8(ascii: "-"), i + 1 < end, src[i] == 0x20, Self.isDigit(src[i + 1]) {
            i += 1
            while i < end, Self.isScalarTokenByte(src[i]) { i += 1 }
        }
        let stop = i
        let length = stop - start
        if src[start] == UInt8(ascii: "t"), matches(start, stop, "true") { return .bool(true) }
        if src[start] == UInt8(ascii: "f"), matches(start, stop, "false") { return .bool(false) }
        if length >= 10, src[start + 4] == UInt8(ascii: "-"), (start..<start + 4).allSatisfy({ Self.isDigit(src[$0]) }) {
            return try parseDateTime(start, stop)
        }
        if length >= 3, src[start + 2] == UInt8(ascii: ":"), Self.isDigit(src[start]), Self.isDigit(src[start + 1]) {
            var p = start
            let time = try readTime(&p, stop, token: start)
            guard p == stop else { throw invalidToken("local time", start, stop, "expected HH:MM:SS[.fraction]") }
            return .localTime(time)
        }
        return try parseNumber(start, stop)
    }

    func matches(_ start: Int, _ stop: Int, _ word: StaticString) -> Bool {
        guard stop - start == word.utf8CodeUnitCount else { return false }
        let w = word.utf8Start
        for k in 0..<(stop - start) where src[start + k] != w[k] { return false }
        return true
    }

    func invalidToken(_ kind: String, _ start: Int, _ stop: Int, _ detail: String) -> TOMLError {
        fail("invalid \(kind) \"\(makeString(start, stop))\": \(detail)", at: start)
    }

    // MARK: Numbers

    func parseNumber(_ start: Int, _ stop: Int) throws(TOMLError) -> TOMLValue {
        var p = start
        let negative = src[p] == UInt8(ascii: "-")
        let signed = negative || src[p] == UInt8(ascii: "+")
        if signed { p += 1 }
        if p < stop, !Self.isDigit(src[p]) {
            if matches(p, stop, "inf") { return .float(negative ? -.infinity : .infinity) }
            if matches(p, stop, "nan") { return .float(negative ? -.nan : .nan) }
        }
        if p + 1 < stop, src[p] == UInt8(ascii: "0"), let radix = Self.radix(prefix: src[p + 1]) {
            if signed {
                throw invalidToken("integer", start, stop, "hexadecimal, octal and binary integers cannot have a sign")
            }
            return .integer(try parseRadixInteger(p + 2, stop, radix: radix, token: start))
        }
        guard p < stop, Self.isDigit(src[p]) else {
            throw fail(
                "invalid value \"\(makeString(start, stop))\" (expected a string, number, boolean, date, time, array or inline table)",
                at: start)
        }
        let integerStart = p
        p = try scanDigits(p, stop, radix: 10, token: start)
        if src[integerStart] == UInt8(ascii: "0"), p - integerStart > 1 {
            throw invalidToken("number", start, stop, "leading zeros are not allowed")
        }
        var isFloat = false
        if p < stop, src[p] == UInt8(ascii: ".") {
            isFloat = true
            p += 1
            guard p < stop, Self.isDigit(src[p]) else {
                throw invalidToken("float", start, stop, "a decimal point must be followed by digits")
            }
            p = try scanDigits(p, stop, radix: 10, token: start)
        }
        if p < stop, src[p] == UInt8(ascii: "e") || src[p] == UInt8(ascii: "E") {
            isFloat = true
            p += 1
            if p < stop, src[p] == UInt8(ascii: "+") || src[p] == UInt8(ascii: "-") { p += 1 }
            guard p < stop, Self.isDigit(src[p]) else {
                throw invalidToken("float", start, stop, "an exponent must have digits")
            }
            p = try scanDigits(p, stop, radix: 10, token: start)
        }
        guard p == stop else {
            if src[p] == UInt8(ascii: "-") || src[p] == UInt8(ascii: ":") {
                throw invalidToken("date or time", start, stop, "expected YYYY-MM-DD, HH:MM:SS or both")
            }
            throw fail(
                "invalid value \"\(makeString(start, stop))\" (expected a number, date or time; found \(describeCharacter(at: p)) inside it)",
                at: start)
        }
        if isFloat {
            var text = ""
            text.reserveCapacity(stop - start)
            for k in start..<stop where src[k] != UInt8(ascii: "_") { text.unicodeScalars.append(UnicodeScalar(src[k])) }
            guard let value = Double(text), value.isFinite else {
                throw invalidToken("float", start, stop, "out of range for a 64-bit float")
            }
            return .float(value)
        }
        var value: Int64 = 0
        for k in integerStart..<stop where src[k] != UInt8(ascii: "_") {
            let digit = Int64(src[k] &- 0x30)
            let (shifted, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            guard !o1, !o2 else {
                throw invalidToken("integer", start, stop, "out of range for a 64-bit signed integer")
            }
            value = next
        }
        return .integer(value)
    }

    /// Digits in `radix` with single underscores between digits; `src[p]` must be a digit. Returns the
    /// offset after the run.
    func scanDigits(_ start: Int, _ stop: Int, radix: Int, token: Int) throws(TOMLError) -> Int {
        var p = start + 1
        while p < stop {
            let b = src[p]
            if Self.digitValue(b, radix: radix) != nil {
                p += 1
            } else if b == UInt8(ascii: "_") {
                guard p + 1 < stop, Self.digitValue(src[p + 1], radix: radix) != nil else {
                    throw invalidToken("number", token, stop, "an underscore must be between two digits")
                }
                p += 2
            } else {
                break
            }
        }
        return p
    }

    static func radix(prefix: UInt8) -> Int? {
        switch prefix {
        case UInt8(ascii: "x"): return 16
        case UInt8(ascii: "o"): return 8
        case UInt8(ascii: "b"): return 2
        default: return nil
        }
    }

    static func digitValue(_ b: UInt8, radix: Int) -> Int? {
        let value: Int
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): value = Int(b - 0x30)
        case UInt8(ascii: "a")...UInt8(ascii: "f"): value = Int(b - 0x61 + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): value = Int(b - 0x41 + 10)
        default: return nil
        }
        return value < radix ? value : nil
    }

    func parseRadixInteger(_ start: Int, _ stop: Int, radix: Int, token: Int) throws(TOMLError) -> Int64 {
        let name = radix == 16 ? "hexadecimal" : radix == 8 ? "octal" : "binary"
        guard start < stop, Self.digitValue(src[start], radix: radix) != nil else {
            throw invalidToken("integer", token, stop, "expected \(name) digits after the prefix")
        }
        let p = try scanDigits(start, stop, radix: radix, token: token)
        guard p == stop else {
            throw invalidToken("integer", token, stop, "\(describeCharacter(at: p)) is not a \(name) digit")
        }
        var value: Int64 = 0
        for k in start..<stop {
            guard let digit = Self.digitValue(src[k], radix: radix) else { continue }
            let (shifted, o1) = value.multipliedReportingOverflow(by: Int64(radix))
            let (next, o2) = shifted.addingReportingOverflow(Int64(digit))
            guard !o1, !o2 else {
                throw invalidToken("integer", token, stop, "out of range for a 64-bit signed integer")
            }
            value = next
        }
        return value
    }

    // MARK: Dates and times

    func parseDateTime(_ start: Int, _ stop: Int) throws(TOMLError) -> TOMLValue {
        let date = try readDate(start, stop)
        if stop == start + 10 { return .localDate(date) }
        let separator = src[start + 10]
        guard separator == UInt8(ascii: "T") || separator == UInt8(ascii: "t") || separator == 0x20 else {
            throw invalidToken("date-time", start, stop, "expected 'T' or a space between the date and the time")
        }
        var p = start + 11
        let time = try readTime(&p, stop, token: start)
        if p == stop { return .localDateTime(TOMLLocalDateTime(date: date, time: time)) }
        let offset: TOMLTimeOffset
        switch src[p] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard p + 1 == stop else { throw invalidToken("date-time", start, stop, "unexpected text after the offset") }
            offset = .utc
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard p + 6 == stop, let hours = twoDigits(p + 1), src[p + 3] == UInt8(ascii: ":"),
                let minutes = twoDigits(p + 4)
            else {
                throw invalidToken("date-time", start, stop, "the offset must be Z or ±HH:MM")
            }
            guard hours <= 23, minutes <= 59 else {
                throw invalidToken("date-time", start, stop, "the offset must be between -23:59 and +23:59")
            }
            let total = hours * 60 + minutes
            offset = .minutes(src[p] == UInt8(ascii: "-") ? -total : total)
        default:
            throw invalidToken("date-time", start, stop, "expected Z or ±HH:MM after the time")
        }
        return .offsetDateTime(TOMLOffsetDateTime(date: date, time: time, offset: offset))
    }

    func twoDigits(_ p: Int) -> Int? {
        guard Self.isDigit(src[p]), Self.isDigit(src[p + 1]) else { return nil }
        return Int(src[p] - 0x30) * 10 + Int(src[p + 1] - 0x30)
    }

    /// `YYYY-MM-DD` at `start`, checked against the calendar.
    func readDate(_ start: Int, _ stop: Int) throws(TOMLError) -> TOMLLocalDate {
        guard stop - start >= 10, let century = twoDigits(start), let yy = twoDigits(start + 2),
            src[start + 4] == UInt8(ascii: "-"), let month = twoDigits(start + 5), src[start + 7] == UInt8(ascii: "-"),
            let day = twoDigits(start + 8)
        else {
            throw invalidToken("date", start, stop, "expected YYYY-MM-DD")
        }
        let year = century * 100 + yy
        guard (1...12).contains(month) else { throw invalidToken("date", start, stop, "the month must be 01-12") }
        let days = TOMLLocalDate.daysIn(month: month, year: year)
        guard (1...days).contains(day) else {
            throw invalidToken("date", start, stop, "day \(day) does not exist in month \(month) of \(year)")
        }
        return TOMLLocalDate(year: year, month: month, day: day)
    }

    /// `HH:MM:SS[.fraction]` at `p`; advances `p` past it.
    func readTime(_ p: inout Int, _ stop: Int, token: Int) throws(TOMLError) -> TOMLLocalTime {
        guard stop - p >= 8, let hour = twoDigits(p), src[p + 2] == UInt8(ascii: ":"), let minute = twoDigits(p + 3),
            src[p + 5] == UInt8(ascii: ":"), let second = twoDigits(p + 6)
        else {
            throw invalidToken("time", token, stop, "expected HH:MM:SS (seconds are required in TOML 1.0)")
        }
        guard hour <= 23, minute <= 59, second <= 60 else {
            throw invalidToken("time", token, stop, "hour must be 00-23, minute 00-59 and second 00-60")
        }
        p += 8
        var fraction = ""
        if p < stop, src[p] == UInt8(ascii: ".") {
            let digitsStart = p + 1
            var q = digitsStart
            while q < stop, Self.isDigit(src[q]) { q += 1 }
            guard q > digitsStart else {
                throw invalidToken("time", token, stop, "a decimal point must be followed by digits")
            }
            fraction = makeString(digitsStart, q)
            p = q
        }
        return TOMLLocalTime(hour: hour, minute: minute, second: second, fractionalDigits: fraction)
    }
}
