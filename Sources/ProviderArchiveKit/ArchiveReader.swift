internal import CArchive
internal import FileIO
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// Every libarchive read call and every read(2) of this module lives in this file.

/// Bytes read, hashed and copied at a time: small enough to stay in the core's cache between steps.
let chunkSize = 256 << 10

/// A pull source of bytes.
protocol ByteSource: AnyObject {
    /// Reads up to `buffer.count` bytes into `buffer`; returns 0 at the end.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(ProviderArchiveError) -> Int
}

/// A pull source of bytes in blocks it owns.
protocol BlockSource: AnyObject {
    /// The next bytes, valid until the next call; empty at the end.
    func nextBlock() throws(ProviderArchiveError) -> UnsafeRawBufferPointer
}

/// read(2) into a buffer (a free function, so the call is not taken for a method named `read`).
private func readDescriptor(_ descriptor: Int32, _ buffer: UnsafeMutableRawBufferPointer) -> Int {
    read(descriptor, buffer.baseAddress, buffer.count)
}

/// Text of the current `errno`.
func systemError(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }

/// A regular file read front to back with read(2).
final class FileSource: ByteSource {
    let path: String
    private let descriptor: Int32
    /// The file's size when opened.
    let size: Int64
    /// Set while another thread still writes the file: reads wait for its bytes.
    private let growing: GrowingFile?
    private var position: Int64 = 0

    /// Opens a regular file for reading.
    /// - Parameter growing: the writer's progress, when the file is still being written.
    /// - Throws: `ProviderArchiveError.cannotRead` when it is missing, unreadable or not a regular file.
    init(url: URL, growing: GrowingFile? = nil) throws(ProviderArchiveError) {
        self.growing = growing
        path = url.path
        // Non-blocking, so that a FIFO given as a path fails below instead of waiting for a writer.
        let fd = SystemPath.withBytes(path) { open($0, O_RDONLY | O_CLOEXEC | O_NONBLOCK) }
        guard fd >= 0 else { throw .cannotRead(path: path, reason: systemError()) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let reason = systemError()
            close(fd)
            throw .cannotRead(path: path, reason: reason)
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw .cannotRead(path: path, reason: info.st_mode & S_IFMT == S_IFDIR ? "it is a directory" : "not a regular file")
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        descriptor = fd
        size = Int64(info.st_size)
    }

    deinit { close(descriptor) }

    /// The first `count` bytes (fewer if the file is shorter), leaving the read position alone.
    func prefix(_ count: Int) throws(ProviderArchiveError) -> [UInt8] {
        // A growing file: wait until it holds `count` bytes, or has ended shorter.
        if let growing { _ = try growing.available(after: Int64(count) - 1, path: path) }
        var bytes = [UInt8](repeating: 0, count: count)
        let got = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, count, 0) }
        guard got >= 0 else { throw .cannotRead(path: path, reason: systemError()) }
        return Array(bytes.prefix(got))
    }

    /// `count` bytes at `offset` (fewer at the end of the file), leaving the read position alone; for a growing
    /// file, once they have been written.
    func bytes(at offset: Int64, count: Int) throws(ProviderArchiveError) -> [UInt8] {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, count), alignment: 16)
        defer { buffer.deallocate() }
        let got = try read(at: offset, into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count]))
        return Array(UnsafeRawBufferPointer(rebasing: buffer[0..<got]))
    }

    /// Fills `buffer` from `offset` (less at the end of the file), leaving the read position alone; for a
    /// growing file, once the bytes have been written.
    /// - Returns: the bytes read.
    func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws(ProviderArchiveError) -> Int {
        let count = buffer.count
        if let growing, count > 0 { _ = try growing.available(after: offset + Int64(count) - 1, path: path) }
        var got = 0
        while got < count {
            let step = pread(descriptor, buffer.baseAddress! + got, count - got, off_t(offset) + off_t(got))
            if step < 0, errno == EINTR { continue }
            guard step >= 0 else { throw .cannotRead(path: path, reason: systemError()) }
            if step == 0 { break }
            got += step
        }
        return got
    }

    /// The file's final length: its size, or for a growing file the length once its writer has ended.
    func finalLength() throws(ProviderArchiveError) -> Int64 {
        guard let growing else { return size }
        var length: Int64 = 0
        while case let more = try growing.available(after: length, path: path), more > 0 { length += more }
        return length
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(ProviderArchiveError) -> Int {
        var target = buffer
        if let growing {
            let available = try growing.available(after: position, path: path)
            guard available > 0 else { return 0 }
            target = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<Int(min(Int64(buffer.count), available))])
        }
        while true {
            let got = readDescriptor(descriptor, target)
            if got >= 0 {
                position += Int64(got)
                return got
            }
            if errno == EINTR { continue }
            throw .cannotRead(path: path, reason: systemError())
        }
    }
}

/// A file's bytes in blocks of one buffer, growing from 16 KiB (reading only the first entry reads
/// little) to `size`.
final class FileBlocks: BlockSource {
    private let file: FileSource
    private let buffer: UnsafeMutableRawBufferPointer
    private var readSize = 16 << 10

    init(file: FileSource, size: Int) {
        self.file = file
        buffer = .allocate(byteCount: size, alignment: 64)
    }

    deinit { buffer.deallocate() }

    func nextBlock() throws(ProviderArchiveError) -> UnsafeRawBufferPointer {
        let got = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<min(readSize, buffer.count)]))
        readSize = min(readSize * 2, buffer.count)
        return UnsafeRawBufferPointer(rebasing: buffer[0..<got])
    }
}

private func errorText(_ archive: OpaquePointer) -> String {
    archive_error_string(archive).map { String(cString: $0) } ?? "unknown error"
}

/// libarchive's message when it says more than that the input was not recognised.
private func libarchiveDetail(_ archive: OpaquePointer) -> String? {
    guard let text = archive_error_string(archive).map({ String(cString: $0) }),
        !text.isEmpty, text != "Unrecognized archive format"
    else { return nil }
    return text
}

private let tarReadCallback: @convention(c) (
    OpaquePointer?, UnsafeMutableRawPointer?, UnsafeMutablePointer<UnsafeRawPointer?>?
) -> Int = { _, client, buffer in
    Unmanaged<TarReader>.fromOpaque(client!).takeUnretainedValue().fill(buffer!)
}

/// One entry of a tar stream that passed the structural checks.
struct TarEntry {
    enum Kind { case file, directory }
    /// The name with any leading `./` removed.
    let name: String
    let kind: Kind
    /// The declared size in bytes.
    let size: Int64
    /// Where its header starts in the (uncompressed) tar stream.
    var headerPosition: Int64 = -1
}

/// A tar stream (gzip-compressed or not, told by its first bytes) read entry by entry through
/// libarchive, enforcing the structural rules: safe names, regular files and directories only,
/// entry, total and count limits. Nothing is ever written to disk.
///
/// libarchive parses the tar format only; the gzip layer is swash's (`GzipInflater`), which checks
/// what libarchive does not (the trailer, a single member). Reading ahead, it inflates on a thread
/// of its own while libarchive and the caller work on the bytes already inflated.
final class TarReader {
    let path: String
    let compression: ArchiveCompression
    private let source: BlockSource
    private let archive: OpaquePointer
    private let limits: ArchiveLimits
    private var failure: ProviderArchiveError?
    private var delivered: Int64 = 0
    private var entryCount = 0
    private var current: TarEntry?
    private var currentRead: Int64 = 0

    /// Opens an archive file.
    /// - Parameter readAhead: inflate on another thread, ahead of the reader, in large blocks (for reading
    ///   the whole stream); without it, inflate and read on demand, a little at a time (for reading only
    ///   the first entries).
    /// - Throws: `ProviderArchiveError.cannotRead`, or `.invalidArchive` when it is not tar or gzip'd tar.
    /// - Parameter useIndex: with `readAhead`, inflate on every core when the gzip header holds swash's index.
    init(url: URL, limits: ArchiveLimits, readAhead: Bool = true, growing: GrowingFile? = nil, useIndex: Bool = false)
        throws(ProviderArchiveError)
    {
        let file = try FileSource(url: url, growing: growing)
        path = file.path
        self.limits = limits
        compression = try file.prefix(2) == [0x1F, 0x8B] ? .gzip : .none
        switch (compression, readAhead) {
        case (.gzip, true):
            if useIndex, let indexed = try IndexedGzipInflater.open(file) {
                source = indexed
            } else {
                source = ReadAheadInflater(GzipInflater(file: file))
            }
        case (.gzip, false): source = GzipInflater(file: file)
        case (.none, _): source = FileBlocks(file: file, size: readAhead ? 1 << 20 : 64 << 10)
        }
        guard let archive = archive_read_new() else { throw .cannotRead(path: file.path, reason: "out of memory") }
        self.archive = archive
        archive_read_support_format_tar(archive)
        if archive_read_open(archive, Unmanaged.passUnretained(self).toOpaque(), nil, tarReadCallback, nil) != ARCHIVE_OK {
            if let failure { throw failure }
            let detail = libarchiveDetail(archive).map { " (\($0))" } ?? ""
            throw invalid(.corrupt(entry: nil, reason: file.size == 0 ? "the file is empty" : "not a tar archive, or its first header is damaged" + detail))
        }
    }

    deinit { archive_read_free(archive) }

    /// Whether the pieces were inflated through the gzip index.
    var readsThroughIndex: Bool { source is IndexedGzipInflater }

    /// Whether reading through the index failed (the archive must then be read again without it).
    var indexFailed: Bool { (source as? IndexedGzipInflater)?.failed ?? false }

    /// The pieces read through the index, once the whole stream has been read and checked.
    var splicePieces: [SplicePiece]? { (source as? IndexedGzipInflater)?.layout }

    func invalid(_ defect: ArchiveDefect) -> ProviderArchiveError { .invalidArchive(archive: path, defect) }

    /// libarchive asks for tar bytes; the total limit is enforced here.
    fileprivate func fill(_ pointer: UnsafeMutablePointer<UnsafeRawPointer?>) -> Int {
        do throws(ProviderArchiveError) {
            let block = try source.nextBlock()
            delivered += Int64(block.count)
            if delivered > limits.maximumTotalSize { throw invalid(.archiveTooLarge(limit: limits.maximumTotalSize)) }
            pointer.pointee = block.baseAddress
            return block.count
        } catch {
            failure = error
            return -1
        }
    }

    /// The next entry, its data not yet read; `nil` after the last.
    /// - Throws: `.invalidArchive` for damage, unsafe names, links, devices, FIFOs, sockets, an entry
    ///   over the size limit, or too many entries.
    func next() throws(ProviderArchiveError) -> TarEntry? {
        current = nil
        var entry: OpaquePointer?
        var status: Int32
        repeat { status = archive_read_next_header(archive, &entry) } while status == ARCHIVE_RETRY
        if status == ARCHIVE_EOF { return nil }
        guard status == ARCHIVE_OK || status == ARCHIVE_WARN, let entry else {
            throw failure ?? invalid(.corrupt(entry: nil, reason: errorText(archive)))
        }
        entryCount += 1
        if entryCount > limits.maximumEntries { throw invalid(.tooManyEntries(limit: limits.maximumEntries)) }

        let rawName = try name(of: entry)
        let shown = rawName.isEmpty ? "(empty name)" : rawName
        let type = archive_entry_filetype(entry) & swash_ae_ifmt()
        if archive_entry_hardlink(entry) != nil { throw invalid(.unsupportedEntryType(shown, type: "hard link")) }
        let kind: TarEntry.Kind
        switch type {
        case swash_ae_ifreg(): kind = .file
        case swash_ae_ifdir(): kind = .directory
        case swash_ae_iflnk(): throw invalid(.unsupportedEntryType(shown, type: "symbolic link"))
        case swash_ae_ifchr(): throw invalid(.unsupportedEntryType(shown, type: "character device"))
        case swash_ae_ifblk(): throw invalid(.unsupportedEntryType(shown, type: "block device"))
        case swash_ae_ififo(): throw invalid(.unsupportedEntryType(shown, type: "FIFO"))
        case swash_ae_ifsock(): throw invalid(.unsupportedEntryType(shown, type: "socket"))
        default: throw invalid(.unsupportedEntryType(shown, type: "file of unknown type"))
        }

        var name = rawName
        while name.hasPrefix("./") { name.removeFirst(2) }
        if kind == .directory {
            while name.hasSuffix("/") { name.removeLast() }
            if name.isEmpty || name == "." { return TarEntry(name: ".", kind: .directory, size: 0) }
            // A directory is skipped, but a hostile name is still a hostile archive.
            if let reason = EntryName.escapeReason(name) { throw invalid(.unsafeEntryName(shown, reason: reason)) }
            for component in name.split(separator: "/") where component != "." {
                if let reason = EntryName.unsafeComponentReason(String(component)), reason != "hidden file name" {
                    throw invalid(.unsafeEntryName(shown, reason: reason))
                }
            }
            return TarEntry(name: name, kind: .directory, size: 0)
        }
        if let reason = EntryName.unsafeComponentReason(name) {
            throw invalid(.unsafeEntryName(shown, reason: reason))
        }
        guard archive_entry_size_is_set(entry) != 0 else {
            throw invalid(.corrupt(entry: shown, reason: "the entry has no size"))
        }
        let size = archive_entry_size(entry)
        guard size >= 0 else { throw invalid(.corrupt(entry: shown, reason: "negative size \(size)")) }
        if size > limits.maximumEntrySize {
            throw invalid(.entryTooLarge(shown, size: size, limit: limits.maximumEntrySize))
        }
        current = TarEntry(name: name, kind: .file, size: size, headerPosition: archive_read_header_position(archive))
        currentRead = 0
        return current
    }

    /// The entry's pathname as UTF-8 text.
    private func name(of entry: OpaquePointer) throws(ProviderArchiveError) -> String {
        if let raw = archive_entry_pathname(entry) {
            let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(raw).assumingMemoryBound(to: UInt8.self), count: strlen(raw))
            if let text = String(validating: bytes, as: UTF8.self) { return text }
            let shown = bytes.map { $0 < 0x80 && $0 >= 0x20 ? String(UnicodeScalar($0)) : "\\x" + String($0, radix: 16) }.joined()
            throw invalid(.unsafeEntryName(shown, reason: "not valid UTF-8"))
        }
        if let utf8 = archive_entry_pathname_utf8(entry) { return String(cString: utf8) }
        return ""
    }

    /// Reads the current entry's data; returns 0 at its end.
    /// - Throws: `.invalidArchive` when the stream is damaged or the entry outgrows its limit.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(ProviderArchiveError) -> Int {
        guard let current else { return 0 }
        let got = archive_read_data(archive, buffer.baseAddress, buffer.count)
        guard got >= 0 else {
            throw failure ?? invalid(.corrupt(entry: current.name, reason: errorText(archive)))
        }
        currentRead += Int64(got)
        if currentRead > current.size || currentRead > limits.maximumEntrySize {
            throw invalid(.entryTooLarge(current.name, size: currentRead, limit: min(current.size, limits.maximumEntrySize)))
        }
        return got
    }

    /// Reads past the end-of-archive marker to the end of the file, so a gzip trailer is verified
    /// and data hidden after the tar stream still counts against the total limit.
    func finish() throws(ProviderArchiveError) {
        if let failure { throw failure }
        while true {
            let got = try source.nextBlock().count
            if got == 0 { return }
            delivered += Int64(got)
            if delivered > limits.maximumTotalSize { throw invalid(.archiveTooLarge(limit: limits.maximumTotalSize)) }
        }
    }
}
