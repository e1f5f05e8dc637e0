import Foundation

extension TOMLTable {
    /// Parses a TOML 1.0 document.
    ///
    /// The bytes must be UTF-8 (a leading byte order mark is skipped); line breaks may be `\n` or `\r\n`
    /// (`\r\n` inside multi-line strings is read as `\n`). Parsing takes time linear in the input size.
    /// Tables and arrays may nest at most 128 levels deep.
    /// - Parameters:
    ///   - bytes: The document.
    ///   - fileName: The name shown in error messages (`<input>` when `nil`).
    /// - Throws: ``TOMLError`` with the line, column and a caret snippet, for invalid UTF-8, a syntax error,
    ///   an invalid value (bad escape, out-of-range integer, impossible date, …) or a key or table defined
    ///   twice.
    public init(parsing bytes: [UInt8], fileName: String? = nil) throws(TOMLError) {
        self = try bytes.withUnsafeBufferPointer { buffer throws(TOMLError) in
            try Self.parse(buffer, fileName: fileName)
        }
    }

    /// Parses a TOML 1.0 document held in `Data`.
    /// - Parameters:
    ///   - data: The document, UTF-8.
    ///   - fileName: The name shown in error messages (`<input>` when `nil`).
    /// - Throws: ``TOMLError``, as ``init(parsing:fileName:)-([UInt8],_)`` does.
    public init(parsing data: Data, fileName: String? = nil) throws(TOMLError) {
        let result = data.withUnsafeBytes { raw in
            Result { () throws(TOMLError) in try Self.parse(raw.bindMemory(to: UInt8.self), fileName: fileName) }
        }
        self = try result.get()
    }

    /// Parses a TOML 1.0 document held in a string.
    /// - Parameters:
    ///   - text: The document.
    ///   - fileName: The name shown in error messages (`<input>` when `nil`).
    /// - Throws: ``TOMLError``, as ``init(parsing:fileName:)-([UInt8],_)`` does.
    public init(parsing text: String, fileName: String? = nil) throws(TOMLError) {
        var text = text
        let result = text.withUTF8 { buffer in
            Result { () throws(TOMLError) in try Self.parse(buffer, fileName: fileName) }
        }
        self = try result.get()
    }

    private static func parse(_ buffer: UnsafeBufferPointer<UInt8>, fileName: String?) throws(TOMLError) -> TOMLTable {
        var parser = Parser(buffer, fileName: fileName)
        return try parser.parseDocument()
    }
}
