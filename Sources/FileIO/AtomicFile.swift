import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file that appears at its destination complete or not at all.
///
/// It is written to an exclusively created temporary file beside the destination (`TemporaryFiles`' naming),
/// then synced and renamed over the destination (`commit()`), or linked to it only if nothing is there
/// (`commitIfAbsent()`), and the directory is synced. Until then the destination is untouched; dropping an
/// uncommitted file removes the temporary file, and so does SIGINT/SIGTERM (`InterruptCleanup`).
public final class AtomicFile: @unchecked Sendable {
    /// Who may read the file.
    public enum Access: Sendable {
        /// `0644` before the umask: an ordinary output file (archives).
        case ordinary
        /// Exactly `0600` whatever the umask: a secret (key seeds).
        case `private`
    }

    /// The final path.
    public let destination: URL
    /// The temporary file being written.
    public let temporary: TemporaryPath
    /// The open descriptor of the temporary file (valid until `commit`).
    public let descriptor: Int32
    private var isOpen = true
    /// Bytes appended so far.
    public private(set) var size: Int64 = 0

    /// Creates the temporary file beside `destination`, after sweeping abandoned ones.
    /// - Parameters:
    ///   - destination: the file to create or replace.
    ///   - access: its permissions.
    /// - Throws: `FileSystemError` when the directory is missing or not writable.
    public init(destination: URL, access: Access = .ordinary) throws(FileSystemError) {
        self.destination = destination
        var attempt = 0
        while true {
            let candidate = TemporaryPath(beside: destination)
            let fd = SystemPath.withBytes(candidate.url.path) { open($0, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, access == .private ? 0o600 : 0o644) }
            if fd >= 0 {
                temporary = candidate
                descriptor = fd
                break
            }
            let code = errno
            candidate.remove()
            attempt += 1
            guard code == EEXIST, attempt < 16 else {
                throw Self.creationFailure(destination, code: code)
            }
        }
        if access == .private, fchmod(descriptor, 0o600) != 0 {
            let error = FileSystemError(.write, path: destination.path)
            close(descriptor)
            isOpen = false
            throw error
        }
    }

    deinit {
        if isOpen { close(descriptor) }
        temporary.remove()
    }

    /// Gives up now: closes and removes the temporary file, leaving the destination untouched. What dropping
    /// the file does, for a failure path that must not wait for the last reference to go (a writer captured by a
    /// transfer's callback on another thread may outlive the error that ends the process).
    public func discard() {
        if isOpen {
            isOpen = false
            close(descriptor)
        }
        temporary.remove()
    }

    /// Writes `bytes` at the end.
    /// - Throws: `FileSystemError` (disk full, I/O error).
    public func append(_ bytes: UnsafeRawBufferPointer) throws(FileSystemError) {
        try write(bytes, at: size)
        size += Int64(bytes.count)
    }

    /// Writes `bytes` at the end.
    /// - Throws: `FileSystemError` (disk full, I/O error).
    public func append(_ bytes: some ContiguousBytes) throws(FileSystemError) {
        let result: Result<Void, FileSystemError> = bytes.withUnsafeBytes { raw in
            do throws(FileSystemError) {
                try append(raw)
                return .success(())
            } catch { return .failure(error) }
        }
        try result.get()
    }

    /// Writes `bytes` at `offset`, over what is there.
    /// - Throws: `FileSystemError` (disk full, I/O error).
    public func write(_ bytes: [UInt8], at offset: Int64) throws(FileSystemError) {
        let result: Result<Void, FileSystemError> = bytes.withUnsafeBytes { raw in
            do throws(FileSystemError) {
                try write(raw, at: offset)
                return .success(())
            } catch { return .failure(error) }
        }
        try result.get()
    }

    /// Writes `bytes` at `offset`, over what is there.
    /// - Throws: `FileSystemError` (disk full, I/O error).
    public func write(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws(FileSystemError) {
        var done = 0
        while done < bytes.count {
            let got = pwrite(descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done))
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { throw FileSystemError(.write, path: destination.path) }
            done += got
        }
    }

    /// Syncs the data written so far to the disk, so that a later `commit` has little left to wait for: a
    /// writer calls it while other work (verifying what it wrote) goes on.
    /// - Throws: `FileSystemError` for a write error the disk reported (it must end the write: a later sync
    ///   may not report it again).
    public func sync() throws(FileSystemError) {
        guard isOpen else { return }
        guard fsync(descriptor) == 0 else { throw FileSystemError(.write, path: destination.path) }
    }

    /// Syncs the data, renames the file over the destination and syncs the directory.
    /// - Throws: `FileSystemError`; the destination is then as it was.
    public func commit() throws(FileSystemError) {
        try syncAndClose()
        try temporary.moveIntoPlace()
    }

    /// Syncs the data and links the file to the destination only if nothing is there (`link(2)` never
    /// replaces), then removes the temporary name.
    /// - Returns: `false` when the destination already existed (it is left alone).
    /// - Throws: `FileSystemError` for any other failure.
    public func commitIfAbsent() throws(FileSystemError) -> Bool {
        try syncAndClose()
        defer { temporary.remove() }
        if SystemPath.withBytes(temporary.url.path, { from in SystemPath.withBytes(destination.path) { link(from, $0) } }) != 0 {
            let code = errno
            if code == EEXIST { return false }
            throw FileSystemError(.write, path: destination.path, code: code)
        }
        Directories.sync(destination.deletingLastPathComponent())
        return true
    }

    private func syncAndClose() throws(FileSystemError) {
        guard fsync(descriptor) == 0 else { throw FileSystemError(.write, path: destination.path) }
        isOpen = false
        guard close(descriptor) == 0 else { throw FileSystemError(.write, path: destination.path) }
    }

    /// The error for a temporary file that could not be created: a missing directory says so.
    private static func creationFailure(_ destination: URL, code: Int32) -> FileSystemError {
        let directory = destination.deletingLastPathComponent().path
        if code == ENOENT { return FileSystemError(.write, path: destination.path, detail: "the directory \(directory) does not exist") }
        return FileSystemError(.write, path: destination.path, code: code)
    }
}

extension AtomicFile {
    /// Writes `contents` to `destination` atomically, replacing any file there.
    /// - Throws: `FileSystemError`; the destination is then as it was.
    public static func write(_ contents: some ContiguousBytes, to destination: URL, access: Access = .ordinary)
        throws(FileSystemError)
    {
        let file = try AtomicFile(destination: destination, access: access)
        try file.append(contents)
        try file.commit()
    }

    /// Writes `contents` to `destination` only if nothing is there, atomically: readers see no file or the
    /// whole one.
    /// - Returns: `false` when a file was already there (it is left alone).
    /// - Throws: `FileSystemError`.
    public static func create(_ contents: some ContiguousBytes, at destination: URL, access: Access = .ordinary)
        throws(FileSystemError) -> Bool
    {
        let file = try AtomicFile(destination: destination, access: access)
        try file.append(contents)
        return try file.commitIfAbsent()
    }
}
