internal import CArchive
internal import FileIO
import Foundation
import Wascap

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// Every libarchive write call and every write-side system call of this module lives in this file.

/// Where a tar stream's bytes go: a plain file or a compressor. Written by one thread.
protocol TarSink: AnyObject {
    /// Takes the next bytes of the stream.
    func write(_ bytes: UnsafeRawBufferPointer) throws(ProviderArchiveError)
    /// The bytes written from here to `endReserved()` will be replaced later (same length) by `patch`.
    func beginReserved() throws(ProviderArchiveError)
    /// Ends the reserved stretch.
    func endReserved() throws(ProviderArchiveError) -> Reservation
    /// Replaces a reserved stretch's bytes.
    func patch(_ reservation: Reservation, with bytes: [UInt8]) throws(ProviderArchiveError)
    /// Flushes everything (and, for a compressor, writes its trailer).
    func finish() throws(ProviderArchiveError)
    /// An entry (or the end blocks) starts here: a compressor starts a new piece, so each entry is a run of
    /// whole pieces that a later writer can copy (`ParallelGzipWriter.splice`).
    func boundary() throws(ProviderArchiveError)
}

extension TarSink {
    func boundary() throws(ProviderArchiveError) {}
}

/// A stretch of a tar stream kept to be rewritten: where it is in the output file and how long it is.
struct Reservation: Equatable {
    /// Offset in the output file of its encoding (plain bytes, or stored deflate blocks).
    let offset: Int64
    /// Its length in the tar stream.
    let count: Int
}

/// A tar stream written through libarchive into a `TarSink`: GNU headers (`ustar  \0`), uid/gid 0,
/// no user or group names, no padding after the two end blocks.
final class TarWriter {
    private let archive: OpaquePointer
    private let sink: TarSink
    private let path: String
    /// What the sink threw inside libarchive's write callback.
    fileprivate var sinkFailure: ProviderArchiveError?
    private var closed = false

    /// Starts a tar stream into `sink`.
    /// - Parameter path: the destination, for error messages.
    /// - Throws: `ProviderArchiveError.cannotWrite` when libarchive cannot be set up.
    init(sink: TarSink, path: String) throws(ProviderArchiveError) {
        self.sink = sink
        self.path = path
        guard let archive = archive_write_new() else { throw .cannotWrite(path: path, reason: "out of memory") }
        self.archive = archive
        var status = archive_write_set_format_gnutar(archive)
        // No blocking: every header and data write goes straight to the sink, in order, which is what
        // lets a stretch of the stream be reserved around one entry's data.
        if status == ARCHIVE_OK { status = archive_write_set_bytes_per_block(archive, 0) }
        if status == ARCHIVE_OK {
            status = archive_write_open2(archive, Unmanaged.passUnretained(self).toOpaque(), nil, tarWriteCallback, nil, nil)
        }
        guard status == ARCHIVE_OK else { throw failure() }
    }

    deinit {
        // An abandoned stream is not flushed.
        if !closed { archive_write_fail(archive) }
        archive_write_free(archive)
    }

    /// libarchive hands over bytes.
    fileprivate func deliver(_ bytes: UnsafeRawBufferPointer) -> Int {
        do throws(ProviderArchiveError) {
            try sink.write(bytes)
            return bytes.count
        } catch {
            sinkFailure = error
            return -1
        }
    }

    private func failure(_ entry: String? = nil) -> ProviderArchiveError {
        if let sinkFailure { return sinkFailure }
        var message = archive_error_string(archive).map { String(cString: $0) } ?? systemError()
        // libarchive may say only "Write error" when a system call fails: add the system's reason.
        let code = archive_errno(archive)
        if code > 0, case let reason = systemError(code), !message.contains(reason) { message += ": " + reason }
        return .cannotWrite(path: path, reason: (entry.map { "entry \($0): " } ?? "") + message)
    }

    /// Writes one regular-file entry whose data `body` supplies through `write`.
    /// - Parameters:
    ///   - name: the entry name.
    ///   - size: exactly the number of bytes `body` will write.
    ///   - permissions: e.g. `0o644`.
    ///   - modificationTime: unix seconds.
    ///   - body: writes the data.
    func addEntry(
        name: String, size: Int64, permissions: UInt32, modificationTime: Int64,
        body: (_ write: (UnsafeRawBufferPointer) throws(ProviderArchiveError) -> Void) throws(ProviderArchiveError) -> Void
    ) throws(ProviderArchiveError) {
        guard let entry = archive_entry_new() else { throw .cannotWrite(path: path, reason: "out of memory") }
        defer { archive_entry_free(entry) }
        archive_entry_set_pathname(entry, name)
        archive_entry_set_size(entry, size)
        archive_entry_set_filetype(entry, swash_ae_ifreg())
        archive_entry_set_perm(entry, mode_t(permissions))
        archive_entry_set_mtime(entry, time_t(modificationTime), 0)
        archive_entry_set_uid(entry, 0)
        archive_entry_set_gid(entry, 0)
        try sink.boundary()
        guard archive_write_header(archive, entry) == ARCHIVE_OK else { throw failure(name) }
        var written: Int64 = 0
        try body { (chunk: UnsafeRawBufferPointer) throws(ProviderArchiveError) in
            var offset = 0
            while offset < chunk.count {
                let got = archive_write_data(archive, chunk.baseAddress! + offset, chunk.count - offset)
                guard got > 0 else { throw failure(name) }
                offset += got
            }
            written += Int64(chunk.count)
        }
        guard written == size else {
            throw .cannotWrite(path: path, reason: "entry \(name): \(written) bytes written for a declared size of \(size)")
        }
        guard archive_write_finish_entry(archive) == ARCHIVE_OK else { throw failure(name) }
    }

    /// Writes one regular-file entry holding `contents`; with `reserved`, its data is kept aside to be
    /// replaced by `patch` with bytes of the same length once they are known.
    /// - Returns: the reservation, when `reserved`.
    @discardableResult
    func addEntry(
        name: String, contents: [UInt8], permissions: UInt32, modificationTime: Int64, reserved: Bool = false
    ) throws(ProviderArchiveError) -> Reservation? {
        var reservation: Reservation?
        try addEntry(name: name, size: Int64(contents.count), permissions: permissions, modificationTime: modificationTime) {
            (write) throws(ProviderArchiveError) in
            if reserved { try sink.beginReserved() }
            try withBytes(contents, write)
            if reserved { reservation = try sink.endReserved() }
        }
        if let reservation, reservation.count != contents.count {
            throw .cannotWrite(path: path, reason: "entry \(name): libarchive did not write its data in place")
        }
        return reservation
    }

    /// Replaces the data of an entry written with `reserved`.
    func patch(_ reservation: Reservation, with contents: [UInt8]) throws(ProviderArchiveError) {
        try sink.patch(reservation, with: contents)
    }

    /// Writes the end-of-archive blocks into the sink (which the caller then finishes, after any `patch`).
    func close() throws(ProviderArchiveError) {
        try sink.boundary()
        closed = true
        guard archive_write_close(archive) == ARCHIVE_OK else { throw failure() }
    }
}

/// `bytes.withUnsafeBytes(body)`, keeping the error's type (Array's is an untyped `rethrows`).
func withBytes<Result>(
    _ bytes: [UInt8], _ body: (UnsafeRawBufferPointer) throws(ProviderArchiveError) -> Result
) throws(ProviderArchiveError) -> Result {
    try bytes.withUnsafeBytes { raw in Swift.Result { () throws(ProviderArchiveError) in try body(raw) } }.get()
}

private let tarWriteCallback: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, UnsafeRawPointer?, Int) -> Int = {
    _, client, buffer, length in
    Unmanaged<TarWriter>.fromOpaque(client!).takeUnretainedValue().deliver(UnsafeRawBufferPointer(start: buffer, count: length))
}

/// A plain tar stream: bytes gathered into large writes to the file.
final class PlainTarSink: TarSink {
    private let file: ArchiveFile
    private var buffer: [UInt8] = []
    private var reservationStart: Int64?
    private static let flushSize = 1 << 20

    init(file: ArchiveFile) {
        self.file = file
        buffer.reserveCapacity(Self.flushSize)
    }

    private var position: Int64 { file.size + Int64(buffer.count) }

    func write(_ bytes: UnsafeRawBufferPointer) throws(ProviderArchiveError) {
        if buffer.count + bytes.count > Self.flushSize { try flush() }
        if bytes.count >= Self.flushSize {
            try file.append(bytes)
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    func beginReserved() throws(ProviderArchiveError) { reservationStart = position }

    func endReserved() throws(ProviderArchiveError) -> Reservation {
        guard let start = reservationStart else { preconditionFailure("endReserved without beginReserved") }
        reservationStart = nil
        return Reservation(offset: start, count: Int(position - start))
    }

    func patch(_ reservation: Reservation, with bytes: [UInt8]) throws(ProviderArchiveError) {
        precondition(bytes.count == reservation.count, "a patch has the reserved length")
        try flush()
        try file.write(bytes, at: reservation.offset)
    }

    func finish() throws(ProviderArchiveError) { try flush() }

    private func flush() throws(ProviderArchiveError) {
        guard !buffer.isEmpty else { return }
        try withBytes(buffer, file.append)
        buffer.removeAll(keepingCapacity: true)
    }
}

/// The archive file being written: FileIO's `AtomicFile` (temporary file beside the destination, renamed
/// into place by `commit()`, removed when dropped or on SIGINT/SIGTERM), with its failures reported as
/// `ProviderArchiveError.cannotWrite` naming the destination.
final class ArchiveFile {
    private let file: AtomicFile

    /// Creates the temporary file beside `destination`.
    /// - Throws: `ProviderArchiveError.cannotWrite` when the directory is missing or not writable.
    init(destination: URL) throws(ProviderArchiveError) {
        do { file = try AtomicFile(destination: destination) } catch { throw Self.failure(error) }
    }

    /// The final path.
    var destination: URL { file.destination }
    /// Bytes appended so far.
    var size: Int64 { file.size }

    /// Writes `bytes` at the end.
    func append(_ bytes: UnsafeRawBufferPointer) throws(ProviderArchiveError) {
        do { try file.append(bytes) } catch { throw Self.failure(error) }
    }

    /// Writes `bytes` at the end.
    func append(_ bytes: [UInt8]) throws(ProviderArchiveError) {
        do { try file.append(bytes) } catch { throw Self.failure(error) }
    }

    /// Writes `bytes` at `offset`, over what is there.
    func write(_ bytes: [UInt8], at offset: Int64) throws(ProviderArchiveError) {
        do { try file.write(bytes, at: offset) } catch { throw Self.failure(error) }
    }

    /// Syncs the data, renames it over the destination and syncs the directory.
    func commit() throws(ProviderArchiveError) {
        do { try file.commit() } catch { throw Self.failure(error) }
    }

    /// Commits (as `commit()`) while another thread hashes the finished bytes, so the hash costs next to no
    /// time: it reads what is in the page cache while the sync waits for the disk.
    /// - Returns: the SHA-256 of the file's bytes as committed.
    func commitHashing() throws(ProviderArchiveError) -> [UInt8] {
        let path = file.temporary.url.path
        // Opened before the rename, so the hasher reads this file whatever happens to its name.
        let reader = SystemPath.withBytes(path) { open($0, O_RDONLY | O_CLOEXEC) }
        guard reader >= 0 else { throw .cannotWrite(path: file.destination.path, reason: "cannot read back \(path): \(String(cString: strerror(errno)))") }
        let hashing = FileHashing(descriptor: reader)
        do { try file.commit() } catch {
            _ = hashing.wait()
            throw Self.failure(error)
        }
        switch hashing.wait() {
        case .success(let digest): return digest
        case .failure(let failure):
            throw .cannotWrite(path: file.destination.path, reason: "reading it back failed: \(String(cString: strerror(failure.code)))")
        }
    }

    private static func failure(_ error: FileSystemError) -> ProviderArchiveError {
        .cannotWrite(path: error.path, reason: error.reason)
    }
}

/// SHA-256 of a whole file, computed on a thread of its own from an open descriptor (which it closes).
private final class FileHashing: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<[UInt8], ReadFailure> = .failure(ReadFailure(code: EIO))

    /// The `errno` of a failed read.
    struct ReadFailure: Error {
        var code: Int32
    }

    init(descriptor: Int32) {
        let thread = Thread { [self] in
            defer {
                close(descriptor)
                done.signal()
            }
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
            defer { buffer.deallocate() }
            var hasher = SHA256()
            var offset: off_t = 0
            while true {
                let got = pread(descriptor, buffer.baseAddress, buffer.count, offset)
                if got < 0, errno == EINTR { continue }
                guard got >= 0 else {
                    result = .failure(ReadFailure(code: errno))
                    return
                }
                if got == 0 { break }
                hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<got]))
                offset += off_t(got)
            }
            result = .success(hasher.finalize())
        }
        thread.name = "swash hash"
        thread.start()
    }

    /// Waits for the hash, or the `errno` of the read that failed.
    func wait() -> Result<[UInt8], ReadFailure> {
        done.wait()
        return result
    }
}
