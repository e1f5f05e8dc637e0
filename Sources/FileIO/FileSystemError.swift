import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A failed file-system operation: what was being done, to which path, and why — the system's own words
/// for the `errno` ("No space left on device"), or a judgement of swash's ("it is a directory").
///
/// Every module that touches files reports failures with this type (or wraps it in its area's error, which
/// then prints `reason`), so the same failure reads the same everywhere.
public struct FileSystemError: Error, Sendable, Hashable, CustomStringConvertible, LocalizedError {
    /// What was being done.
    public enum Operation: String, Sendable, Hashable {
        /// Opening or reading a file.
        case read
        /// Creating, writing, syncing or renaming a file.
        case write
        /// Creating a directory.
        case createDirectory = "create directory"
        /// Listing a directory.
        case list
    }

    /// What was being done.
    public var operation: Operation
    /// The path it was done to.
    public var path: String
    /// The `errno` of the failed system call, when a system call failed.
    public var code: Int32?
    /// swash's own explanation, when no system call failed (or to add to its words).
    public var detail: String?

    /// A failure of a system call, keeping its `errno`.
    /// - Parameters:
    ///   - operation: what was being done.
    ///   - path: the path concerned.
    ///   - code: the `errno` (default: the current one).
    public init(_ operation: Operation, path: String, code: Int32 = errno) {
        self.operation = operation
        self.path = path
        self.code = code
        self.detail = nil
    }

    /// A failure judged by swash (a directory where a file is expected, a file too large).
    /// - Parameters:
    ///   - operation: what was being done.
    ///   - path: the path concerned.
    ///   - detail: what is wrong, e.g. `it is a directory`.
    public init(_ operation: Operation, path: String, detail: String) {
        self.operation = operation
        self.path = path
        self.code = nil
        self.detail = detail
    }

    /// The error of any failure that came from Foundation or the system: its POSIX code when it carries one,
    /// else its description (never Foundation's paraphrase of a POSIX error).
    /// - Parameters:
    ///   - operation: what was being done.
    ///   - path: the path concerned.
    ///   - error: what Foundation threw.
    public init(_ operation: Operation, path: String, from error: any Error) {
        if let error = error as? FileSystemError {
            self = error
            return
        }
        if let code = Self.posixCode(of: error) {
            self.init(operation, path: path, code: code)
        } else {
            self.init(operation, path: path, detail: String(describing: error))
        }
    }

    /// The system's words for `code`, then `detail`; or `detail` alone.
    public var reason: String {
        switch (code, detail) {
        case (let code?, let detail?): return Self.systemMessage(code) + " (\(detail))"
        case (let code?, nil): return Self.systemMessage(code)
        case (nil, let detail?): return detail
        case (nil, nil): return "failed"
        }
    }

    /// `cannot <operation> "<path>": <reason>`.
    public var description: String { "cannot \(operation.rawValue) \"\(path)\": \(reason)" }

    /// Same as `description`.
    public var errorDescription: String? { description }

    /// `strerror(code)`: the system's message for an `errno`.
    public static func systemMessage(_ code: Int32) -> String { String(cString: strerror(code)) }

    /// The POSIX code inside a Foundation error, looking one level into its underlying error.
    static func posixCode(of error: any Error) -> Int32? {
        if let error = error as? CocoaError, let underlying = error.underlying { return posixCode(of: underlying) }
        let error = error as NSError
        if error.domain == NSPOSIXErrorDomain { return Int32(error.code) }
        if let underlying = error.userInfo[NSUnderlyingErrorKey] as? any Error {
            let nested = underlying as NSError
            if nested.domain == NSPOSIXErrorDomain { return Int32(nested.code) }
        }
        return nil
    }
}
