/// A place in a TOML document.
///
/// Lines and columns are 1-based. Columns count Unicode scalars, so a caret printed under column `n` lines
/// up with the `n`th character of the line (tabs and characters wider than one cell aside).
public struct TOMLPosition: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The 1-based line number.
    public var line: Int
    /// The 1-based column, in Unicode scalars from the start of the line.
    public var column: Int

    /// Creates a position.
    /// - Parameters:
    ///   - line: The 1-based line number.
    ///   - column: The 1-based column, in Unicode scalars.
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// `line:column`, as used in error messages.
    public var description: String { "\(line):\(column)" }

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
        var o = offset
        var l = line
        var c = column
        let stop = min(target, bytes.count)
        while o < stop {
            let b = bytes[o]
            if b == 0x0A {
                l += 1
                c = 1
            } else if b & 0xC0 != 0x80 {
                c += 1
            }
            o += 1
        }
        offset = stop
        line = l
        column = c
        return TOMLPosition(line: l, column: c)
    }
}
