import Foundation

/// A TOML document that cannot be read, with where and why.
///
/// `description` renders `<file>:<line>:<column>: <message>`, then the offending source line and a caret
/// under the column:
///
/// ```
/// wasmcloud.toml:3:6: expected '=' after key "name"
/// name "x"
///      ^
/// ```
public struct TOMLError: Error, Sendable, Hashable, CustomStringConvertible, LocalizedError {
    /// The file name shown in messages, or `nil` for `<input>`.
    public var fileName: String?
    /// Where the problem is.
    public var position: TOMLPosition
    /// What is wrong, without the location.
    public var message: String
    /// The text of the line the error points at (control characters replaced by U+FFFD), for the snippet.
    public var sourceLine: String

    /// The 1-based line of the problem.
    public var line: Int { position.line }
    /// The 1-based column (in Unicode scalars) of the problem.
    public var column: Int { position.column }

    /// Creates an error from its parts.
    /// - Parameters:
    ///   - message: What is wrong.
    ///   - fileName: The file name shown in messages; `nil` shows `<input>`.
    ///   - position: Where the problem is.
    ///   - sourceLine: The text of that line, for the caret snippet.
    public init(message: String, fileName: String? = nil, position: TOMLPosition, sourceLine: String) {
        self.message = message
        self.fileName = fileName
        self.position = position
        self.sourceLine = sourceLine
    }

    /// Creates an error pointing at a position of a document, taking the snippet line from its bytes.
    ///
    /// Layers above the parser (such as a manifest reader that finds a value of the wrong type) use this
    /// to report their own problems in the same format.
    /// - Parameters:
    ///   - message: What is wrong.
    ///   - position: Where, as recorded in a parsed ``TOMLTable``.
    ///   - source: The document's bytes.
    ///   - fileName: The file name shown in messages; `nil` shows `<input>`.
    public init(message: String, at position: TOMLPosition, in source: [UInt8], fileName: String? = nil) {
        let text = source.withUnsafeBufferPointer { Self.lineText(number: position.line, in: $0) }
        self.init(message: message, fileName: fileName, position: position, sourceLine: text)
    }

    /// `<file>:<line>:<column>`.
    public var location: String { "\(fileName ?? "<input>"):\(line):\(column)" }

    /// `<file>:<line>:<column>: <message>`, the first line of ``description``.
    public var headline: String { "\(location): \(message)" }

    /// How many characters of the source line the snippet shows on each side of ``column`` at most.
    public static let snippetRadius = 60

    /// The source line and a caret line under ``column``. A long line is shown only around the column
    /// (at most ``snippetRadius`` characters on each side, cut ends marked `…`), so a huge line never makes a
    /// huge message.
    public var snippet: String {
        let scalars = Array(sourceLine.unicodeScalars)
        let index = max(0, column - 1)
        let start = max(0, index - Self.snippetRadius)
        let end = min(scalars.count, index + Self.snippetRadius)
        var shown = start > 0 ? "…" : ""
        var caret = start > 0 ? " " : ""
        for (offset, scalar) in scalars[start..<max(start, end)].enumerated() {
            shown.unicodeScalars.append(scalar)
            if start + offset < index { caret.unicodeScalars.append(scalar == "\t" ? "\t" : " ") }
        }
        if end < scalars.count { shown += "…" }
        let covered = max(0, min(index, scalars.count) - start)
        if covered < index - start { caret += String(repeating: " ", count: index - start - covered) }
        return shown + "\n" + caret + "^"
    }

    /// The headline, then the snippet.
    public var description: String { headline + "\n" + snippet }

    /// Same as ``description``.
    public var errorDescription: String? { description }

    /// The text of a 1-based line, without its line break; control characters other than tab become U+FFFD.
    static func lineText(number: Int, in bytes: UnsafeBufferPointer<UInt8>) -> String {
        var start = 0
        var line = 1
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { start = 3 }
        while line < number, start < bytes.count {
            if bytes[start] == 0x0A { line += 1 }
            start += 1
        }
        var end = start
        while end < bytes.count, bytes[end] != 0x0A { end += 1 }
        if end > start, bytes[end - 1] == 0x0D { end -= 1 }
        let raw = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        var clean = String.UnicodeScalarView()
        for scalar in raw.unicodeScalars {
            let v = scalar.value
            clean.append((v < 0x20 && v != 0x09) || v == 0x7F ? "\u{FFFD}" : scalar)
        }
        return String(clean)
    }
}
