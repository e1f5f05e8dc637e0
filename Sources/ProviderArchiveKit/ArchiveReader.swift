internal import CArchive
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// Every libarchive read call and every read(2) of this module lives in this file.

/// Bytes read, hashed and copied at a time.
let chunkSize = 1 << 20

/// A pull source of bytes.
protocol ByteSource: AnyObject {
    /// Reads up to `buffer.count` bytes into `buffer`; returns 0 at the end.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(ProviderArchiveError) -> Int
}

/// read(2) into a buffer (a free function, so the call is not taken for a method named `read`).
private func readDescriptor(_ descriptor: Int32, _ buffer: UnsafeMutableRawBufferPointer) -> Int {
    read(descriptor, buffer.baseAddress, buffer.count)
}

/// Text of the current `errno`.
func systemError(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }

/// A regular file read front to back with read(2). Remembers its last 8 bytes (a gzip trailer).
final class FileSource: ByteSource {
    let path: String
    private let descriptor: Int32
    /// The last (up to) 8 bytes read so far.
    private(set) var tail: [UInt8] = []
    /// The file's size when opened.
    let size: Int64

    /// Opens a regular file for reading.
    /// - Throws: `ProviderArchiveError.cannotRead` when it is missing, unreadable or not a regular file.
    init(url: URL) throws(ProviderArchiveError) {
        path = url.path
        // Non-blocking, so that a FIFO given as a path fails below instead of waiting for a writer.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
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
        var bytes = [UInt8](repeating: 0, count: count)
        let got = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, count, 0) }
        guard got >= 0 else { throw .cannotRead(path: path, reason: systemError()) }
        return Array(bytes.prefix(got))
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(ProviderArchiveError) -> Int {
        while true {
            let got = readDescriptor(descriptor, buffer)
            if got >= 0 {
                if got >= 8 {
                    tail = Array(UnsafeRawBufferPointer(rebasing: buffer[(got - 8)..<got]))
                } else if got > 0 {
                    tail = Array((tail + UnsafeRawBufferPointer(rebasing: buffer[0..<got])).suffix(8))
                }
                return got
            }
            if errno == EINTR { continue }
            throw .cannotRead(path: path, reason: systemError())
        }
    }
}

/// The decompressed bytes of a one-member gzip file, through libarchive's gzip filter, with the
/// trailer (CRC-32 and length, which libarchive does not check) verified at the end.
final class GzipSource: ByteSource {
    private let file: FileSource
    private let archive: OpaquePointer
    /// Allocated once nothing before it can throw: an initializer that throws before every stored property
    /// is set never runs `deinit`, and would leak it.
    private let inputBuffer: UnsafeMutableRawBufferPointer
    private var failure: ProviderArchiveError?
    private var crc = CRC32()
    private var length: UInt64 = 0
    private var finished = false

    init(file: FileSource) throws(ProviderArchiveError) {
        self.file = file
        guard let archive = archive_read_new() else { throw .cannotRead(path: file.path, reason: "out of memory") }
        self.archive = archive
        inputBuffer = .allocate(byteCount: chunkSize, alignment: 16)
        archive_read_support_format_raw(archive)
        archive_read_support_filter_gzip(archive)
        archive_read_append_filter(archive, ARCHIVE_FILTER_GZIP)
        let status = archive_read_open(archive, Unmanaged.passUnretained(self).toOpaque(), nil, gzipReadCallback, nil)
        var entry: OpaquePointer?
        if status != ARCHIVE_OK || archive_read_next_header(archive, &entry) != ARCHIVE_OK {
            throw failure ?? damaged()
        }
    }

    deinit {
        archive_read_free(archive)
        inputBuffer.deallocate()
    }

    /// libarchive asks for compressed bytes.
    fileprivate func fill(_ pointer: UnsafeMutablePointer<UnsafeRawPointer?>) -> Int {
        do throws(ProviderArchiveError) {
            let got = try file.read(into: inputBuffer)
            pointer.pointee = UnsafeRawPointer(inputBuffer.baseAddress)
            return got
        } catch {
            failure = error
            return -1
        }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(ProviderArchiveError) -> Int {
        if finished { return 0 }
        let got = archive_read_data(archive, buffer.baseAddress, buffer.count)
        if got < 0 { throw failure ?? damaged() }
        if got > 0 {
            crc.update(UnsafeRawBufferPointer(rebasing: buffer[0..<got]))
            length &+= UInt64(got)
            return got
        }
        finished = true
        try verifyTrailer()
        return 0
    }

    /// libarchive's gzip filter fails silently on a truncated trailer, and its failures while the
    /// format is being recognised come out as "Unrecognized archive format": say what it means.
    private func damaged() -> ProviderArchiveError {
        let detail = libarchiveDetail(archive).map { " (\($0))" } ?? ""
        return .invalidArchive(archive: file.path, .corrupt(entry: nil, reason: "the gzip stream is damaged or truncated" + detail))
    }

    /// Checks that the file ends with this stream's CRC-32 and length (mod 2^32), little-endian.
    private func verifyTrailer() throws(ProviderArchiveError) {
        while try file.read(into: inputBuffer) > 0 {}  // anything after the member ends up in the tail
        let tail = file.tail
        guard tail.count == 8 else {
            throw .invalidArchive(archive: file.path, .gzipTrailerMismatch("the 8-byte trailer is missing"))
        }
        let storedCRC = tail[0..<4].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let storedLength = tail[4..<8].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        if storedCRC != crc.value {
            throw .invalidArchive(archive: file.path, .gzipTrailerMismatch(
                "the data's CRC-32 is \(hex32(crc.value)) but the trailer says \(hex32(storedCRC))"))
        }
        if storedLength != UInt32(truncatingIfNeeded: length) {
            throw .invalidArchive(archive: file.path, .gzipTrailerMismatch(
                "the data is \(length) bytes but the trailer says \(storedLength) (mod 2^32)"))
        }
    }
}

private func hex32(_ value: UInt32) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
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

private let gzipReadCallback: @convention(c) (
    OpaquePointer?, UnsafeMutableRawPointer?, UnsafeMutablePointer<UnsafeRawPointer?>?
) -> Int = { _, client, buffer in
    Unmanaged<GzipSource>.fromOpaque(client!).takeUnretainedValue().fill(buffer!)
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
}

/// A tar stream (gzip-compressed or not, told by its first bytes) read entry by entry through
/// libarchive, enforcing the structural rules: safe names, regular files and directories only,
/// entry, total and count limits. Nothing is ever written to disk.
final class TarReader {
    let path: String
    let compression: ArchiveCompression
    private let source: ByteSource
    private let archive: OpaquePointer
    private let limits: ArchiveLimits
    /// Allocated last, as `GzipSource`'s is (a throw before then would leak it).
    private let inputBuffer: UnsafeMutableRawBufferPointer
    private var failure: ProviderArchiveError?
    private var delivered: Int64 = 0
    private var entryCount = 0
    private var current: TarEntry?
    private var currentRead: Int64 = 0

    /// Opens an archive file.
    /// - Throws: `ProviderArchiveError.cannotRead`, or `.invalidArchive` when it is not tar or gzip'd tar.
    init(url: URL, limits: ArchiveLimits) throws(ProviderArchiveError) {
        let file = try FileSource(url: url)
        path = file.path
        self.limits = limits
        compression = try file.prefix(2) == [0x1F, 0x8B] ? .gzip : .none
        source = compression == .gzip ? try GzipSource(file: file) : file
        guard let archive = archive_read_new() else { throw .cannotRead(path: file.path, reason: "out of memory") }
        self.archive = archive
        inputBuffer = .allocate(byteCount: chunkSize, alignment: 16)
        archive_read_support_format_tar(archive)
        if archive_read_open(archive, Unmanaged.passUnretained(self).toOpaque(), nil, tarReadCallback, nil) != ARCHIVE_OK {
            if let failure { throw failure }
            let detail = libarchiveDetail(archive).map { " (\($0))" } ?? ""
            throw invalid(.corrupt(entry: nil, reason: file.size == 0 ? "the file is empty" : "not a tar archive, or its first header is damaged" + detail))
        }
    }

    deinit {
        archive_read_free(archive)
        inputBuffer.deallocate()
    }

    func invalid(_ defect: ArchiveDefect) -> ProviderArchiveError { .invalidArchive(archive: path, defect) }

    /// libarchive asks for tar bytes; the total limit is enforced here.
    fileprivate func fill(_ pointer: UnsafeMutablePointer<UnsafeRawPointer?>) -> Int {
        do throws(ProviderArchiveError) {
            let got = try source.read(into: inputBuffer)
            delivered += Int64(got)
            if delivered > limits.maximumTotalSize { throw invalid(.archiveTooLarge(limit: limits.maximumTotalSize)) }
            pointer.pointee = UnsafeRawPointer(inputBuffer.baseAddress)
            return got
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
        current = TarEntry(name: name, kind: .file, size: size)
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
            let got = try source.read(into: inputBuffer)
            if got == 0 { return }
            delivered += Int64(got)
            if delivered > limits.maximumTotalSize { throw invalid(.archiveTooLarge(limit: limits.maximumTotalSize)) }
        }
    }
}
