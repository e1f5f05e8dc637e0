internal import CArchive
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// Every libarchive write call and every write-side system call of this module lives in this file.

/// A tar stream written through libarchive to a file descriptor: GNU headers (`ustar  \0`), uid/gid 0,
/// no user or group names, no padding after the two end blocks; gzip level 9 without a timestamp.
final class TarWriter {
    private let archive: OpaquePointer
    private let path: String
    private var closed = false

    /// Starts a tar stream on an open descriptor (which stays open).
    /// - Throws: `ProviderArchiveError.cannotWrite` when libarchive cannot be set up.
    init(descriptor: Int32, path: String, compression: ArchiveCompression) throws(ProviderArchiveError) {
        self.path = path
        guard let archive = archive_write_new() else { throw .cannotWrite(path: path, reason: "out of memory") }
        self.archive = archive
        var status = archive_write_set_format_gnutar(archive)
        if status == ARCHIVE_OK, compression == .gzip {
            status = archive_write_add_filter_gzip(archive)
            if status == ARCHIVE_OK { status = archive_write_set_filter_option(archive, "gzip", "compression-level", "9") }
            if status == ARCHIVE_OK { status = archive_write_set_filter_option(archive, "gzip", "timestamp", nil) }
        }
        if status == ARCHIVE_OK { status = archive_write_open_fd(archive, descriptor) }
        if status == ARCHIVE_OK { status = archive_write_set_bytes_in_last_block(archive, 1) }
        guard status == ARCHIVE_OK else { throw failure() }
    }

    deinit {
        // An abandoned stream is not flushed: its descriptor may already be closed (and reused).
        if !closed { archive_write_fail(archive) }
        archive_write_free(archive)
    }

    private func failure(_ entry: String? = nil) -> ProviderArchiveError {
        var message = archive_error_string(archive).map { String(cString: $0) } ?? systemError()
        // libarchive says only "Write error" when write(2) fails: add the system's reason (a full disk, …).
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

    /// Writes one regular-file entry holding `contents`.
    func addEntry(name: String, contents: [UInt8], permissions: UInt32, modificationTime: Int64) throws(ProviderArchiveError) {
        try addEntry(name: name, size: Int64(contents.count), permissions: permissions, modificationTime: modificationTime) {
            (write) throws(ProviderArchiveError) in
            let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: contents.count, alignment: 1)
            defer { copy.deallocate() }
            contents.withUnsafeBytes { copy.copyMemory(from: $0) }
            try write(UnsafeRawBufferPointer(copy))
        }
    }

    /// Writes the end-of-archive blocks and flushes the compressor.
    func close() throws(ProviderArchiveError) {
        closed = true
        guard archive_write_close(archive) == ARCHIVE_OK else { throw failure() }
    }
}

/// A file that appears at its destination complete or not at all: written to an exclusively created
/// temporary file in the same directory, synced, then renamed over the destination. Until `commit()`
/// the destination (and any file already there) is untouched; dropping it uncommitted removes the
/// temporary file.
final class AtomicFile {
    let destination: URL
    let temporaryPath: String
    let descriptor: Int32
    private var isOpen = true
    private var committed = false

    /// Creates the temporary file beside `destination`.
    /// - Throws: `ProviderArchiveError.cannotWrite` when the directory is missing or not writable.
    init(destination: URL) throws(ProviderArchiveError) {
        self.destination = destination
        let directory = destination.deletingLastPathComponent().path
        var attempt = 0
        while true {
            let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 36)
            let candidate = directory + "/." + destination.lastPathComponent + "." + suffix + ".tmp"
            let fd = open(candidate, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if fd >= 0 {
                temporaryPath = candidate
                descriptor = fd
                return
            }
            attempt += 1
            guard errno == EEXIST, attempt < 16 else {
                throw .cannotWrite(path: destination.path, reason: systemError())
            }
        }
    }

    deinit {
        if isOpen { close(descriptor) }
        if !committed { unlink(temporaryPath) }
    }

    /// Syncs the data, renames it over the destination and syncs the directory.
    /// - Throws: `ProviderArchiveError.cannotWrite`; the destination is then as it was.
    func commit() throws(ProviderArchiveError) {
        guard fsync(descriptor) == 0 else { throw .cannotWrite(path: destination.path, reason: "fsync: " + systemError()) }
        isOpen = false
        guard close(descriptor) == 0 else { throw .cannotWrite(path: destination.path, reason: "close: " + systemError()) }
        guard rename(temporaryPath, destination.path) == 0 else {
            throw .cannotWrite(path: destination.path, reason: systemError())
        }
        committed = true
        let directory = open(destination.deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directory >= 0 {
            fsync(directory)
            close(directory)
        }
    }
}
