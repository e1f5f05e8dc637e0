extension Parser {
    // MARK: - Strings

    /// A control character that must not appear raw in a string or comment (tab is allowed).
    static func isControl(_ b: UInt8) -> Bool { (b < 0x20 && b != 0x09) || b == 0x7F }

    /// `"…"` at `i`, escapes resolved.
    mutating func parseBasicString() throws(TOMLError) -> String {
        try parseSingleLineString(quote: UInt8(ascii: "\""), escapes: true)
    }

    /// `'…'` at `i`, taken literally.
    mutating func parseLiteralString() throws(TOMLError) -> String {
        try parseSingleLineString(quote: UInt8(ascii: "'"), escapes: false)
    }

    /// `"""…"""` at `i`.
    mutating func parseMultilineBasicString() throws(TOMLError) -> String {
        try parseMultilineString(quote: UInt8(ascii: "\""), escapes: true)
    }

    /// `'''…'''` at `i`.
    mutating func parseMultilineLiteralString() throws(TOMLError) -> String {
        try parseMultilineString(quote: UInt8(ascii: "'"), escapes: false)
    }

    private mutating func parseSingleLineString(quote: UInt8, escapes: Bool) throws(TOMLError) -> String {
        let open = i
        i += 1
        let start = i
        // Fast path: no escapes, so the string is a slice of the input.
        while i < end {
            let b = src[i]
            if b == quote || (escapes && b == UInt8(ascii: "\\")) || Self.isControl(b) { break }
            i += 1
        }
        if i < end, src[i] == quote {
            i += 1
            return makeString(start, i - 1)
        }
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: src[start..<i]))
        while true {
            guard i < end, src[i] != 0x0A, !(src[i] == 0x0D && i + 1 < end && src[i + 1] == 0x0A) else {
                let column = fail("", at: open).column
                let kind = escapes ? "string" : "literal string"
                throw fail(
                    "expected \(describeQuote(quote)) to close the \(kind) that starts at column \(column), found \(describeCharacter(at: i))"
                )
            }
            let b = src[i]
            if b == quote {
                i += 1
                return String(decoding: scratch, as: UTF8.self)
            } else if b == UInt8(ascii: "\\") {
                try appendEscape()
            } else if Self.isControl(b) {
                throw controlInString(b)
            } else {
                let run = i
                while i < end, src[i] != quote, src[i] != UInt8(ascii: "\\"), !Self.isControl(src[i]) { i += 1 }
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: src[run..<i]))
            }
        }
    }

    private mutating func parseMultilineString(quote: UInt8, escapes: Bool) throws(TOMLError) -> String {
        let open = i
        i += 3
        // A line break right after the opening delimiter is not part of the string.
        if i < end, src[i] == 0x0A {
            i += 1
        } else if i + 1 < end, src[i] == 0x0D, src[i + 1] == 0x0A {
            i += 2
        }
        scratch.removeAll(keepingCapacity: true)
        while true {
            let run = i
            while i < end {
                let b = src[i]
                if b == quote || b == 0x0D || (escapes && b == UInt8(ascii: "\\")) || (Self.isControl(b) && b != 0x0A) {
                    break
                }
                i += 1
            }
            if i > run { scratch.append(contentsOf: UnsafeBufferPointer(rebasing: src[run..<i])) }
            guard i < end else {
                let line = fail("", at: open).line
                let delimiter = String(repeating: String(UnicodeScalar(quote)), count: 3)
                throw fail("expected \(delimiter) to close the multi-line string that starts at line \(line), found end of file")
            }
            let b = src[i]
            if b == quote {
                var n = 0
                while i + n < end, src[i + n] == quote { n += 1 }
                if n < 3 {
                    scratch.append(contentsOf: repeatElement(quote, count: n))
                    i += n
                } else if n <= 5 {
                    // Up to two quotes may sit right before the closing delimiter.
                    scratch.append(contentsOf: repeatElement(quote, count: n - 3))
                    i += n
                    return String(decoding: scratch, as: UTF8.self)
                } else {
                    throw fail("too many quotes: at most two may directly precede the closing delimiter", at: i + 5)
                }
            } else if b == 0x0D {
                guard i + 1 < end, src[i + 1] == 0x0A else { throw controlInString(b) }
                scratch.append(0x0A)
                i += 2
            } else if b == UInt8(ascii: "\\") {
                if try !skipLineEndingBackslash() { try appendEscape() }
            } else {
                throw controlInString(b)
            }
        }
    }

    /// At a `\` in a multi-line basic string: if only blanks follow it up to the end of the line, skips the
    /// backslash and all blanks and line breaks after it, and returns true.
    private mutating func skipLineEndingBackslash() throws(TOMLError) -> Bool {
        var p = i + 1
        while p < end, src[p] == 0x20 || src[p] == 0x09 { p += 1 }
        let atLineEnd = p < end && (src[p] == 0x0A || (src[p] == 0x0D && p + 1 < end && src[p + 1] == 0x0A))
        guard atLineEnd else {
            if p > i + 1 {
                throw fail("a backslash followed by blanks must end the line (line-ending backslash); write \\\\ for a backslash")
            }
            return false
        }
        while p < end {
            switch src[p] {
            case 0x20, 0x09, 0x0A: p += 1
            case 0x0D where p + 1 < end && src[p + 1] == 0x0A: p += 2
            default:
                i = p
                return true
            }
        }
        i = p
        return true
    }

    /// Reads the escape sequence at `i` (a backslash) into `scratch`.
    private mutating func appendEscape() throws(TOMLError) {
        guard i + 1 < end else { throw fail("unfinished escape sequence at end of file") }
        let e = src[i + 1]
        let simple: UInt8?
        switch e {
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "t"): simple = 0x09
        case UInt8(ascii: "n"): simple = 0x0A
        case UInt8(ascii: "f"): simple = 0x0C
        case UInt8(ascii: "r"): simple = 0x0D
        case UInt8(ascii: "\""): simple = 0x22
        case UInt8(ascii: "\\"): simple = 0x5C
        case UInt8(ascii: "u"), UInt8(ascii: "U"): simple = nil
        default:
            let shown = e >= 0x21 && e < 0x7F ? "\\" + String(UnicodeScalar(e)) : "\\ followed by \(describeCharacter(at: i + 1))"
            throw fail(
                "invalid escape sequence \(shown) (TOML 1.0 allows \\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX \\UXXXXXXXX)")
        }
        if let simple {
            scratch.append(simple)
            i += 2
            return
        }
        let count = e == UInt8(ascii: "u") ? 4 : 8
        var value: UInt32 = 0
        for k in 0..<count {
            guard i + 2 + k < end, let digit = Self.digitValue(src[i + 2 + k], radix: 16) else {
                throw fail("\\\(UnicodeScalar(e)) must be followed by exactly \(count) hexadecimal digits")
            }
            value = value << 4 | UInt32(digit)
        }
        guard let scalar = Unicode.Scalar(value) else {
            throw fail("\\\(UnicodeScalar(e))\(makeString(i + 2, i + 2 + count)) is not a Unicode scalar value (surrogates and values above 10FFFF are not allowed)")
        }
        UTF8.encode(scalar) { scratch.append($0) }
        i += 2 + count
    }

    private func controlInString(_ b: UInt8) -> TOMLError {
        let code = Self.hex(UInt32(b)).dropFirst(2)
        return fail("control character \(scalarName(b)) is not allowed raw in a string; write it as \\u\(code) in a basic string")
    }

    private func describeQuote(_ quote: UInt8) -> String {
        quote == UInt8(ascii: "\"") ? "'\"'" : "\"'\""
    }
}
