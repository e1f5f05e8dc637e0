/// A place in a TOML document.
///
/// Lines and columns are 1-based. Columns count Unicode scalars, so a caret printed under column `n` lines
/// up with the `n`th character of the line (tabs and characters wider than one cell aside).
public struct TOMLPosition: Sendable, Hashable, Comparable, CustomStringConvertible {
    // Stored narrow: every key and value of a document carries two positions.
    private var storedLine: Int32
    private var storedColumn: Int32

    /// The 1-based line number.
    public var line: Int {
        get { Int(storedLine) }
        set { storedLine = Int32(clamping: newValue) }
    }

    /// The 1-based column, in Unicode scalars from the start of the line.
    public var column: Int {
        get { Int(storedColumn) }
        set { storedColumn = Int32(clamping: newValue) }
    }

    /// Creates a position.
    /// - Parameters:
    ///   - line: The 1-based line number.
    ///   - column: The 1-based column, in Unicode scalars.
    public init(line: Int, column: Int) {
        storedLine = Int32(clamping: line)
        storedColumn = Int32(clamping: column)
    }

    /// `line:column`, as used in error messages.
    public var description: String { "\(line):\(column)" }

    /// Whether `lhs` comes before `rhs` in the document.
    public static func < (lhs: TOMLPosition, rhs: TOMLPosition) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }
}

/// Turns byte offsets into positions. Offsets must mostly be asked in increasing order (as a parser goes
/// forward), which keeps the total work linear in the size of the input; asking for an earlier offset
/// restarts the count from the beginning.
struct LineTracker {
    private var offset: Int
    private var line = 1
    private var column = 1
    private let origin: Int

    /// - Parameter origin: The offset of the first column of line 1 (3 after a byte order mark).
    init(origin: Int = 0) {
        self.origin = origin
        self.offset = origin
    }

    mutating func position(of target: Int, in bytes: UnsafeBufferPointer<UInt8>) -> TOMLPosition {
        if target < offset {
            offset = origin
            line = 1
            column = 1
        }
        var l = line
        var c = column
        let stop = min(target, bytes.count)
        // The last line break before `stop`, searching back from it (lines are short, inputs long).
        var lineStart = offset
        var p = stop
        while p > offset {
            p -= 1
            if bytes[p] == 0x0A {
                lineStart = p + 1
                break
            }
        }
        if lineStart > offset {
            var breaks = 0
            for k in offset..<lineStart where bytes[k] == 0x0A { breaks += 1 }
            l += breaks
            c = 1
        }
        for k in lineStart..<stop where bytes[k] & 0xC0 != 0x80 { c += 1 }
        offset = stop
        line = l
        column = c
        return TOMLPosition(line: l, column: c)
    }
}
