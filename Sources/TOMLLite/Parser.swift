/// The TOML 1.0 reader: one forward pass over UTF-8 bytes.
///
/// The input is checked to be valid UTF-8 first; after that, slices of it are turned into `String`s
/// directly. Tables are built as ``TableBuilder`` references and frozen into values at the end.
struct Parser {
    /// How deeply tables and arrays may nest. Guards the recursive reader (and the recursive code that
    /// walks the finished value tree) against stack exhaustion on hostile input.
    static let maximumDepth = 128

    let src: UnsafeBufferPointer<UInt8>
    let fileName: String?
    /// 3 when the input starts with a UTF-8 byte order mark, else 0.
    let bomLength: Int
    var i = 0
    var tracker = LineTracker()
    /// Reused buffer for strings that contain escapes or line breaks to normalise.
    var scratch: [UInt8] = []
    /// Reused buffer for the parts of the key being read.
    var keyParts: [KeyPart] = []

    init(_ src: UnsafeBufferPointer<UInt8>, fileName: String?) {
        self.src = src
        self.fileName = fileName
        bomLength = src.count >= 3 && src[0] == 0xEF && src[1] == 0xBB && src[2] == 0xBF ? 3 : 0
    }

    var end: Int { src.count }

    // MARK: - Document

    mutating func parseDocument() throws(TOMLError) -> TOMLTable {
        try validateUTF8()
        i = bomLength
        tracker = LineTracker(origin: bomLength)
        let root = TableBuilder(origin: .root, depth: 0, parent: nil, key: nil)
        var current = root
        while true {
            skipBlanks()
            guard i < end else { break }
            switch src[i] {
            case UInt8(ascii: "\n"):
                i += 1
                continue
            case UInt8(ascii: "\r"):
                try skipNewline()
                continue
            case UInt8(ascii: "#"):
                try skipComment()
                continue
            case UInt8(ascii: "["):
                current = try parseHeader(root: root)
                try expectLineEnd(afterKey: nil)
            default:
                let key = try parseKeyValue(into: current)
                try expectLineEnd(afterKey: key)
            }
        }
        return root.freeze()
    }

    // MARK: - Whitespace, comments, line ends

    /// Skips spaces and tabs.
    mutating func skipBlanks() {
        while i < end, src[i] == 0x20 || src[i] == 0x09 { i += 1 }
    }

    /// Consumes `\n` or `\r\n` at `i`.
    mutating func skipNewline() throws(TOMLError) {
        if src[i] == UInt8(ascii: "\r") {
            guard i + 1 < end, src[i + 1] == UInt8(ascii: "\n") else {
                throw fail("carriage return must be followed by a line feed (a bare CR is not a line break in TOML)")
            }
            i += 2
        } else {
            i += 1
        }
    }

    /// Consumes a comment from its `#` up to (not including) the line break.
    mutating func skipComment() throws(TOMLError) {
        i += 1
        while i < end {
            let b = src[i]
            if b >= 0x20 && b != 0x7F || b == 0x09 {
                i += 1
            } else if b == UInt8(ascii: "\n") || b == UInt8(ascii: "\r") && i + 1 < end && src[i + 1] == 0x0A {
                return
            } else {
                throw fail("control character \(scalarName(b)) is not allowed in a comment")
            }
        }
    }

    /// After a key/value pair or a header: blanks, an optional comment, then a line break or the end.
    /// - Parameter key: Where the key of the pair is, or `nil` after a header.
    mutating func expectLineEnd(afterKey key: Range<Int>?) throws(TOMLError) {
        skipBlanks()
        guard i < end else { return }
        switch src[i] {
        case UInt8(ascii: "#"):
            try skipComment()
            if i < end { try skipNewline() }
        case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
            try skipNewline()
        default:
            let what = key.map { range -> String in
                var stop = range.upperBound
                while stop > range.lowerBound, src[stop - 1] == 0x20 || src[stop - 1] == 0x09 { stop -= 1 }
                let raw = makeString(range.lowerBound, stop)
                return "the value of " + (raw.contains("\"") ? raw : "\"" + raw + "\"")
            } ?? "the table header"
            throw fail("unexpected \(describeCharacter(at: i)) after \(what); expected a new line")
        }
    }

    /// Skips blanks, comments and line breaks (inside arrays).
    mutating func skipBlanksCommentsAndNewlines() throws(TOMLError) {
        while i < end {
            switch src[i] {
            case 0x20, 0x09, 0x0A: i += 1
            case UInt8(ascii: "\r"): try skipNewline()
            case UInt8(ascii: "#"): try skipComment()
            default: return
            }
        }
    }

    // MARK: - Keys

    struct KeyPart {
        var name: String
        var offset: Int
    }

    /// Reads a simple or dotted key (blanks allowed around the dots) into `keyParts`.
    mutating func parseKey() throws(TOMLError) {
        keyParts.removeAll(keepingCapacity: true)
        while true {
            let start = i
            let name = try parseSimpleKey()
            keyParts.append(KeyPart(name: name, offset: start))
            skipBlanks()
            guard i < end, src[i] == UInt8(ascii: ".") else { return }
            i += 1
            skipBlanks()
        }
    }

    /// The names of `keyParts[..<count]`, for messages.
    func keyNames(_ count: Int? = nil) -> [String] {
        keyParts[..<(count ?? keyParts.count)].map(\.name)
    }

    mutating func parseSimpleKey() throws(TOMLError) -> String {
        guard i < end else { throw fail("expected a key, found end of file") }
        let b = src[i]
        if Self.isBareKeyByte(b) {
            let start = i
            while i < end, Self.isBareKeyByte(src[i]) { i += 1 }
            return makeString(start, i)
        }
        if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") {
            if i + 2 < end, src[i + 1] == b, src[i + 2] == b {
                throw fail("a multi-line string cannot be used as a key")
            }
            return b == UInt8(ascii: "\"") ? try parseBasicString() : try parseLiteralString()
        }
        if b == UInt8(ascii: "=") { throw fail("missing key before '='") }
        throw fail(
            "expected a key, found \(describeCharacter(at: i)) (bare keys may only contain A-Z a-z 0-9 _ -; quote other keys)"
        )
    }

    static func isBareKeyByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }

    // MARK: - Key/value pairs

    /// Reads `key = value` and stores it in `table` (creating dotted-key tables on the way).
    /// - Returns: The source text of the key, for messages.
    @discardableResult
    mutating func parseKeyValue(into table: TableBuilder) throws(TOMLError) -> Range<Int> {
        let keyStart = i
        try parseKey()
        let keyEnd = i
        skipBlanks()
        guard i < end, src[i] == UInt8(ascii: "=") else {
            let key = quoted(keyNames())
            if i < end, src[i] == 0x0A || src[i] == 0x0D || src[i] == UInt8(ascii: "#") {
                throw fail("expected '=' after key \(key), found end of line (a key needs a value on the same line)")
            }
            throw fail("expected '=' after key \(key), found \(describeCharacter(at: i))")
        }
        i += 1
        skipBlanks()

        // Resolve where the value goes before reading it: reading an inline table reuses `keyParts`.
        var target = table
        let lastIndex = keyParts.count - 1
        for n in 0..<lastIndex {
            target = try descendDotted(from: target, part: n)
        }
        let last = keyParts[lastIndex]
        let keyPosition = position(of: last.offset)
        let (slot, isNew) = target.appendIfAbsent(last.name, keyPosition: keyPosition, valuePosition: position(of: i))
        guard isNew else {
            throw fail(
                "duplicate key \(quoted(keyNames())) (first defined at line \(target.keyLine(at: slot)))",
                at: last.offset)
        }
        target.setValue(try parseValue(depth: target.depth + 1), at: slot)
        return keyStart..<keyEnd
    }

    /// Follows `keyParts[n]` of a dotted key from `table`, creating a dotted table when missing.
    mutating func descendDotted(from table: TableBuilder, part n: Int) throws(TOMLError) -> TableBuilder {
        let part = keyParts[n]
        let keyPosition = position(of: part.offset)
        let (slot, isNew) = table.appendIfAbsent(part.name, keyPosition: keyPosition, valuePosition: keyPosition)
        guard !isNew else {
            let child = try makeTable(.dotted, in: table, key: part.name, offset: part.offset)
            table.setChild(.table(child), at: slot)
            return child
        }
        var shown: [String] { table.path + [part.name] }
        let line = table.keyLine(at: slot)
        switch table.item(at: slot) {
        case .child(.table(let child)):
            switch child.origin {
            case .dotted:
                return child
            case .implicit:
                // Now defined by dotted keys: a later [header] for it would be a redefinition.
                child.origin = .dotted
                return child
            case .header, .arrayElement, .root, .inline:
                throw fail(
                    "cannot add keys to table [\(display(shown))] with dotted keys: it was defined by a header at line \(line)",
                    at: part.offset)
            }
        case .child(.tables):
            throw fail(
                "cannot add keys to \(quoted(shown)) with dotted keys: it is an array of tables (defined at line \(line))",
                at: part.offset)
        case .value(let value):
            throw fail(notATableMessage(shown, value, line: line), at: part.offset)
        }
    }

    func notATableMessage(_ path: [String], _ value: TOMLValue, line: Int) -> String {
        if case .table = value {
            return "\(quoted(path)) is an inline table (defined at line \(line)); inline tables cannot be extended"
        }
        return "\(quoted(path)) is already defined as \(article(value.typeName)) at line \(line), so it cannot be a table"
    }

    /// A new child table of `parent`, checking the nesting limit.
    func makeTable(
        _ origin: TableBuilder.Origin, in parent: TableBuilder, key: String, offset: Int, extraDepth: Int = 1
    ) throws(TOMLError) -> TableBuilder {
        let depth = parent.depth + extraDepth
        guard depth <= Self.maximumDepth else {
            throw fail("tables and arrays are nested more than \(Self.maximumDepth) levels deep", at: offset)
        }
        return TableBuilder(origin: origin, depth: depth, parent: parent, key: key)
    }

    // MARK: - Headers

    /// Reads `[a.b]` or `[[a.b]]` and returns the table that following key/value pairs go into.
    mutating func parseHeader(root: TableBuilder) throws(TOMLError) -> TableBuilder {
        let open = i
        let headerPosition = position(of: open)
        i += 1
        let isArray = i < end && src[i] == UInt8(ascii: "[")
        if isArray { i += 1 }
        skipBlanks()
        try parseKey()
        var names: [String] { keyNames() }
        if isArray {
            guard i + 1 < end, src[i] == UInt8(ascii: "]"), src[i + 1] == UInt8(ascii: "]") else {
                throw fail("expected ']]' to close the array-of-tables header [[\(display(names))]], found \(describeCharacter(at: i))")
            }
            i += 2
        } else {
            guard i < end, src[i] == UInt8(ascii: "]") else {
                throw fail("expected ']' to close the table header [\(display(names))], found \(describeCharacter(at: i))")
            }
            i += 1
        }

        var table = root
        let lastIndex = keyParts.count - 1
        for n in 0..<lastIndex {
            let part = keyParts[n]
            let keyPosition = position(of: part.offset)
            let (slot, isNew) = table.appendIfAbsent(part.name, keyPosition: keyPosition, valuePosition: keyPosition)
            guard !isNew else {
                let child = try makeTable(.implicit, in: table, key: part.name, offset: part.offset)
                table.setChild(.table(child), at: slot)
                table = child
                continue
            }
            switch table.item(at: slot) {
            case .child(.table(let child)):
                table = child
            case .child(.tables(let array)):
                table = array.tables[array.tables.count - 1]
            case .value(let value):
                throw fail(notATableMessage(keyNames(n + 1), value, line: table.keyLine(at: slot)), at: part.offset)
            }
        }

        let last = keyParts[lastIndex]
        let keyPosition = position(of: last.offset)
        let (slot, isNew) = table.appendIfAbsent(last.name, keyPosition: keyPosition, valuePosition: headerPosition)
        guard !isNew else {
            if isArray {
                let element = try makeTable(.arrayElement, in: table, key: last.name, offset: last.offset, extraDepth: 2)
                table.setChild(.tables(TableArrayBuilder(first: element)), at: slot)
                return element
            }
            let child = try makeTable(.header, in: table, key: last.name, offset: last.offset)
            table.setChild(.table(child), at: slot)
            return child
        }
        let line = table.keyLine(at: slot)
        switch table.item(at: slot) {
        case .child(.tables(let array)) where isArray:
            let element = try makeTable(.arrayElement, in: table, key: last.name, offset: last.offset, extraDepth: 2)
            array.tables.append(element)
            return element
        case .child(.tables):
            throw fail(
                "\(quoted(names)) is an array of tables (defined at line \(line)); use [[\(display(names))]] to add an element",
                at: open)
        case .child(.table) where isArray:
            throw fail(
                "cannot use [[\(display(names))]]: \(quoted(names)) is already a table (defined at line \(line))", at: open)
        case .child(.table(let child)):
            switch child.origin {
            case .implicit:
                child.origin = .header
                table.setValuePosition(headerPosition, at: slot)
                return child
            case .dotted:
                throw fail(
                    "table [\(display(names))] was already defined with dotted keys at line \(line); it cannot be redefined with a header",
                    at: open)
            case .header, .arrayElement, .root, .inline:
                throw fail("table [\(display(names))] is defined twice (first at line \(line))", at: open)
            }
        case .value(.array) where isArray:
            throw fail(
                "cannot use [[\(display(names))]]: \(quoted(names)) is a static array (defined at line \(line)), not an array of tables",
                at: open)
        case .value(let value):
            throw fail(notATableMessage(names, value, line: line), at: open)
        }
    }

    // MARK: - Positions and errors

    mutating func position(of offset: Int) -> TOMLPosition {
        tracker.position(of: offset, in: src)
    }

    /// An error at `offset` (default: the current byte).
    func fail(_ message: String, at offset: Int? = nil) -> TOMLError {
        var fresh = LineTracker(origin: bomLength)
        let position = fresh.position(of: min(offset ?? i, end), in: src)
        return TOMLError(
            message: message, fileName: fileName, position: position,
            sourceLine: TOMLError.lineText(number: position.line, in: src))
    }

    /// A readable name for the character at `offset`: `'x'`, `end of line`, `U+00A0`, `end of file`.
    func describeCharacter(at offset: Int) -> String {
        guard offset < end else { return "end of file" }
        let b = src[offset]
        switch b {
        case 0x0A: return "end of line"
        case 0x0D: return offset + 1 < end && src[offset + 1] == 0x0A ? "end of line" : "a carriage return"
        case 0x09: return "a tab"
        case 0x20: return "a space"
        case 0x21..<0x7F: return "'" + String(UnicodeScalar(b)) + "'"
        case 0x80...:
            var decoder = UTF8()
            var iterator = UnsafeBufferPointer(rebasing: src[offset..<min(end, offset + 4)]).makeIterator()
            if case .scalarValue(let scalar) = decoder.decode(&iterator) {
                return "'\(Character(scalar))' (\(Self.hex(scalar.value)))"
            }
            return "an invalid byte"
        default:
            return "control character \(scalarName(b))"
        }
    }

    func scalarName(_ b: UInt8) -> String { Self.hex(UInt32(b)) }

    static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    func makeString(_ start: Int, _ stop: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: src[start..<stop]), as: UTF8.self)
    }

    // MARK: - UTF-8

    /// Checks the whole input is well-formed UTF-8 (no overlong forms, surrogates or values over U+10FFFF).
    func validateUTF8() throws(TOMLError) {
        var p = 0
        let n = src.count
        while p < n {
            // ASCII runs, eight bytes at a time.
            while p + 8 <= n,
                UnsafeRawPointer(src.baseAddress! + p).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0
            {
                p += 8
            }
            guard p < n else { break }
            let b = src[p]
            if b < 0x80 {
                p += 1
                continue
            }
            var need = 0
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch b {
            case 0xC2...0xDF: need = 1
            case 0xE0: need = 2; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: need = 2
            case 0xED: need = 2; high = 0x9F
            case 0xF0: need = 3; low = 0x90
            case 0xF1...0xF3: need = 3
            case 0xF4: need = 3; high = 0x8F
            default: throw fail("invalid UTF-8 byte 0x\(String(b, radix: 16, uppercase: true)) (TOML files must be UTF-8)", at: p)
            }
            for k in 1...need {
                guard p + k < n, src[p + k] >= (k == 1 ? low : 0x80), src[p + k] <= (k == 1 ? high : 0xBF) else {
                    throw fail("invalid UTF-8 sequence (TOML files must be UTF-8)", at: p)
                }
            }
            p += need + 1
        }
    }
}

// MARK: - Key display

/// A key path as TOML would write it: bare segments as is, others quoted (`a."b c".d`).
func display(_ path: [String]) -> String {
    path.map { segment in
        if !segment.isEmpty, segment.utf8.allSatisfy(Parser.isBareKeyByte) { return segment }
        var quotedSegment = "\""
        for scalar in segment.unicodeScalars {
            switch scalar {
            case "\"": quotedSegment += "\\\""
            case "\\": quotedSegment += "\\\\"
            case "\n": quotedSegment += "\\n"
            case "\t": quotedSegment += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    quotedSegment += "\\u" + String(Parser.hex(scalar.value).dropFirst(2))
                } else {
                    quotedSegment.unicodeScalars.append(scalar)
                }
            }
        }
        return quotedSegment + "\""
    }.joined(separator: ".")
}

/// A key path for messages: `"a.b"` when every segment is bare, else the TOML spelling (`a."b c"`).
func quoted(_ path: [String]) -> String {
    let shown = display(path)
    return shown.contains("\"") ? shown : "\"" + shown + "\""
}

/// `a string`, `an integer`, …
func article(_ noun: String) -> String {
    guard let first = noun.first else { return noun }
    return ("aeiou".contains(first) ? "an " : "a ") + noun
}
