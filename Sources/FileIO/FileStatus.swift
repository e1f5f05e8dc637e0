import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a path is, judged with `stat(2)` (symbolic links followed), with the system's reason when it is
/// nothing.
public enum FileStatus: Sendable, Hashable {
    /// A regular file of `size` bytes.
    case regularFile(size: Int64)
    /// A directory.
    case directory
    /// Something else: a FIFO, a socket, a device.
    case other(kind: String)

    /// Looks `url` up.
    /// - Throws: `FileSystemError` with the `errno` of `stat` (no such file, permission denied, a path
    ///   component that is not a directory, …).
    public init(of url: URL, for operation: FileSystemError.Operation = .read) throws(FileSystemError) {
        var info = stat()
        guard SystemPath.withBytes(url.path, { stat($0, &info) }) == 0 else { throw FileSystemError(operation, path: url.path) }
        switch info.st_mode & S_IFMT {
        case S_IFREG: self = .regularFile(size: Int64(info.st_size))
        case S_IFDIR: self = .directory
        case S_IFIFO: self = .other(kind: "a FIFO (named pipe)")
        case S_IFSOCK: self = .other(kind: "a socket")
        case S_IFCHR: self = .other(kind: "a character device")
        case S_IFBLK: self = .other(kind: "a block device")
        default: self = .other(kind: "not a regular file")
        }
    }

    /// Whether something exists at `url` (following links).
    public static func exists(_ url: URL) -> Bool {
        var info = stat()
        return SystemPath.withBytes(url.path) { stat($0, &info) } == 0
    }

    /// Whether `url` is a directory (following links).
    public static func isDirectory(_ url: URL) -> Bool {
        (try? FileStatus(of: url)) == .directory
    }

    /// Checks that `url` is a regular file that can be opened for reading, and returns its size.
    /// - Throws: `FileSystemError` saying what it is instead (missing, a directory, a FIFO, unreadable).
    public static func requireReadableFile(_ url: URL) throws(FileSystemError) -> Int64 {
        switch try FileStatus(of: url) {
        case .regularFile(let size):
            guard SystemPath.withBytes(url.path, { access($0, R_OK) }) == 0 else { throw FileSystemError(.read, path: url.path) }
            return size
        case .directory:
            throw FileSystemError(.read, path: url.path, detail: "it is a directory, not a file")
        case .other(let kind):
            throw FileSystemError(.read, path: url.path, detail: "it is \(kind), not a regular file")
        }
    }

    /// Reads a whole small file, refusing without reading a byte anything that is not a regular file of at most
    /// `limit` bytes (a FIFO would block; a huge file would be read whole into memory).
    /// - Parameters:
    ///   - url: the file.
    ///   - limit: the largest size accepted.
    ///   - what: how the message names such a file (`a seed file`).
    /// - Throws: `FileSystemError`.
    public static func readSmallFile(_ url: URL, limit: Int, what: String) throws(FileSystemError) -> [UInt8] {
        let size = try requireReadableFile(url)
        guard size <= Int64(limit) else {
            throw FileSystemError(.read, path: url.path, detail: "\(size) bytes is far too large for \(what)")
        }
        let bytes = try readUpTo(limit + 1, from: url)
        guard bytes.count <= limit else {
            throw FileSystemError(.read, path: url.path, detail: "more than \(limit) bytes is far too large for \(what)")
        }
        return bytes
    }

    /// Reads at most the first `count` bytes of a regular file (all of it when it is shorter), refusing without
    /// reading anything that is not a regular file: enough to judge a binary by its header.
    /// - Throws: `FileSystemError`.
    public static func readPrefix(_ url: URL, count: Int) throws(FileSystemError) -> [UInt8] {
        _ = try requireReadableFile(url)
        return try readUpTo(count, from: url)
    }

    private static func readUpTo(_ limit: Int, from url: URL) throws(FileSystemError) -> [UInt8] {
        let fd = SystemPath.withBytes(url.path) { open($0, O_RDONLY | O_CLOEXEC) }
        guard fd >= 0 else { throw FileSystemError(.read, path: url.path) }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: limit)
        var count = 0
        while count < bytes.count {
            let got = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + count, $0.count - count) }
            if got < 0, errno == EINTR { continue }
            guard got >= 0 else { throw FileSystemError(.read, path: url.path) }
            if got == 0 { break }
            count += got
        }
        return Array(bytes[..<count])
    }

    /// The modification time of a `stat` result, in whole seconds.
    static func modificationSeconds(_ info: stat) -> Int {
        #if canImport(Darwin)
            return Int(info.st_mtimespec.tv_sec)
        #else
            return Int(info.st_mtim.tv_sec)
        #endif
    }
}
