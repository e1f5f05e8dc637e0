import Foundation
import NKeys
import Wascap

/// The descriptive claims of a provider, written into `claims.jwt`'s `wascap` object.
public struct ArchiveMetadata: Sendable, Hashable {
    /// `name`: the display name.
    public var name: String?
    /// `vendor`.
    public var vendor: String
    /// `capid`: written only when set (for 0.x hosts).
    public var capabilityContractID: String?
    /// `rev`.
    public var revision: Int?
    /// `ver`.
    public var version: String?
    /// `config_schema`: any JSON.
    public var configSchema: JSONValue?

    /// Metadata from its parts.
    public init(
        name: String?, vendor: String, capabilityContractID: String? = nil, revision: Int? = nil,
        version: String? = nil, configSchema: JSONValue? = nil
    ) {
        self.name = name
        self.vendor = vendor
        self.capabilityContractID = capabilityContractID
        self.revision = revision
        self.version = version
        self.configSchema = configSchema
    }
}

/// Where the bytes of an archive entry come from.
public enum EntrySource: Sendable {
    /// A file on disk (a freshly built binary, a `world.wasm`).
    case file(URL)
    /// A binary of an archive read earlier, copied across without being extracted.
    case member(ArchiveMember, of: ProviderArchive)
}

/// Who signs the claims, and when.
public struct ArchiveSigning: Sendable {
    /// The account key that signs (`iss`).
    public var issuer: KeyPair
    /// The provider's service public key (`sub`).
    public var subject: PublicKey
    /// `iat`, unix seconds.
    public var issuedAt: UInt64
    /// When true, `jti` is derived from the claims' content (see `ProviderClaims.deterministicID`)
    /// instead of being random, so the same inputs give the same bytes.
    public var reproducible: Bool

    /// Signing parameters from their parts.
    public init(issuer: KeyPair, subject: PublicKey, issuedAt: UInt64, reproducible: Bool = false) {
        self.issuer = issuer
        self.subject = subject
        self.issuedAt = issuedAt
        self.reproducible = reproducible
    }
}

/// Writes provider archives (SPEC §3): `claims.jwt` first, then `world.wasm`, then `<target>.bin` sorted
/// by name; mtime fixed, uid/gid 0, modes 0644/0755; one gzip member when compressed.
///
/// Each binary is read once, in chunks, never held in memory: it is hashed on the way into the tar
/// stream, which is compressed on every core (`ParallelGzipWriter`). The claims, which name the hashes,
/// come first in the archive but are signed last: `claims.jwt` is written as a placeholder of the same
/// length and replaced in place at the end. The archive appears at its destination complete or not at all.
public struct ProviderArchiveWriter: Sendable {
    /// gzip (`.par.gz`) or plain tar (`.par`).
    public var compression: ArchiveCompression
    /// Entries' modification time, unix seconds (0, or `SOURCE_DATE_EPOCH`).
    public var modificationTime: Int64
    /// Limits for the binaries written and for reading carried-over entries.
    public var limits: ArchiveLimits

    /// A writer with the given settings.
    public init(compression: ArchiveCompression = .gzip, modificationTime: Int64 = 0, limits: ArchiveLimits = .standard) {
        self.compression = compression
        self.modificationTime = modificationTime
        self.limits = limits
    }

    /// Hashes the binaries, signs claims naming them, and writes the archive.
    /// - Parameters:
    ///   - metadata: name, vendor and the other descriptive claims.
    ///   - targets: at least one target binary.
    ///   - world: an optional pre-encoded WIT package, stored as `world.wasm`.
    ///   - signing: keys and time.
    ///   - destination: the archive's path; its directory must exist. An existing file is replaced
    ///     only once the new archive is complete.
    /// - Returns: the signed claims token written as `claims.jwt`, and the SHA-256 of the archive's bytes.
    /// - Throws: `ProviderArchiveError.cannotRead` for an unreadable input, `.inputTooLarge`,
    ///   `.inputChanged`, `.signingFailed`, `.cannotWrite`, or a reading error of a carried-over entry.
    @discardableResult
    public func write(
        metadata: ArchiveMetadata, targets: [TargetName: EntrySource], world: EntrySource? = nil,
        signing: ArchiveSigning, to destination: URL
    ) throws(ProviderArchiveError) -> WrittenArchive {
        guard !targets.isEmpty else {
            throw .cannotWrite(path: destination.path, reason: "an archive needs at least one target binary")
        }
        var entries = try targets.sorted { $0.key < $1.key }.map { (target, source) throws(ProviderArchiveError) in
            try PlannedEntry(name: target.entryName, hashKey: target.rawValue, source: source, limits: limits)
        }
        if let world {
            entries.insert(try PlannedEntry(name: "world.wasm", hashKey: ProviderClaims.worldHashKey, source: world, limits: limits), at: 0)
        }
        let randomID = ProviderClaims.randomID()
        // Every hash is 64 hex digits, so the placeholder signs to a token of the final length.
        let placeholderHashes = Dictionary(uniqueKeysWithValues: entries.map { ($0.hashKey, String(repeating: "0", count: 64)) })
        let placeholder = Array(try sign(metadata, hashes: placeholderHashes, signing, randomID: randomID).encoded.utf8)
        guard placeholder.count <= limits.maximumClaimsSize else {
            throw .claimsTooLarge(size: placeholder.count, limit: limits.maximumClaimsSize)
        }

        let file = try ArchiveFile(destination: destination)
        // The tar stream's length, known before writing: a header block and the padded contents per entry (names
        // are short: no extension headers), and the two end blocks. It sizes the gzip header's index.
        let padded = { (size: Int64) in 512 + (size + 511) / 512 * 512 }
        // (+ 16 KiB for libarchive padding the end to its 10 KiB record)
        let streamLength = entries.reduce(padded(Int64(placeholder.count))) { $0 + padded($1.size) } + 1024 + (16 << 10)
        let sink: TarSink = compression == .gzip
            ? try ParallelGzipWriter(file: file, expectedLength: streamLength, entries: entries.count + 1) : PlainTarSink(file: file)
        let tar = try TarWriter(sink: sink, path: destination.path)
        let reservation = try tar.addEntry(
            name: "claims.jwt", contents: placeholder, permissions: 0o644, modificationTime: modificationTime, reserved: true)
        var copier = EntryCopier(limits: limits)
        var hashes: [String: String] = [:]
        for entry in entries {
            // A member of an indexed archive whose entry is a run of whole pieces is copied compressed, as it is.
            if case .member(let member, let archive) = entry.source, let gzip = sink as? ParallelGzipWriter,
                let pieces = archive.splices[member.entryName]
            {
                try gzip.splice(pieces, from: archive.url)
                hashes[entry.hashKey] = member.sha256
                continue
            }
            try tar.addEntry(name: entry.name, size: entry.size, permissions: 0o755, modificationTime: modificationTime) {
                (write) throws(ProviderArchiveError) in
                hashes[entry.hashKey] = try copier.copy(entry, into: write).sha256
            }
        }
        try tar.close()
        let token = try sign(metadata, hashes: hashes, signing, randomID: randomID)
        let tokenBytes = Array(token.encoded.utf8)
        guard let reservation, tokenBytes.count == placeholder.count else {
            throw .cannotWrite(path: destination.path, reason: "internal error: the signed claims changed length")
        }
        try tar.patch(reservation, with: tokenBytes)
        try sink.finish()
        let digest = try file.commitHashing()
        return WrittenArchive(token: token, sha256: SHA256.hex(digest).lowercased())
    }

    /// Signs claims naming `hashes` (hash key → uppercase hex).
    private func sign(
        _ metadata: ArchiveMetadata, hashes: [String: String], _ signing: ArchiveSigning, randomID: String
    ) throws(ProviderArchiveError) -> ClaimsToken {
        var claims = ProviderClaims(
            id: "", issuedAt: signing.issuedAt, issuer: signing.issuer.publicKey.encoded,
            subject: signing.subject.encoded, name: metadata.name,
            capabilityContractID: metadata.capabilityContractID, vendor: metadata.vendor,
            revision: metadata.revision, version: metadata.version, targetHashes: hashes,
            configSchema: metadata.configSchema)
        claims.id = signing.reproducible ? claims.deterministicID : randomID
        do { return try ClaimsToken.sign(claims, issuer: signing.issuer) } catch { throw .signingFailed(error) }
    }
}

/// What `ProviderArchiveWriter.write` wrote.
public struct WrittenArchive: Sendable {
    /// The signed claims token, as stored in `claims.jwt`.
    public var token: ClaimsToken
    /// SHA-256 of the whole archive file as written, 64 lowercase hexadecimal digits: its OCI layer digest.
    public var sha256: String
}

/// Size and SHA-256 (uppercase hex) of an entry's bytes.
struct Digest: Equatable {
    var size: Int64
    var sha256: String

    /// Streams a whole source through SHA-256, handing each chunk to `forward`.
    /// - Throws: `excess` as soon as more than `limit` bytes arrive, or what reading or `forward` throws.
    static func of(
        _ source: ByteSource, limit: Int64, excess: @autoclosure () -> ProviderArchiveError,
        forward: (UnsafeRawBufferPointer) throws(ProviderArchiveError) -> Void = { _ in }
    ) throws(ProviderArchiveError) -> Digest {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        var hasher = SHA256()
        var size: Int64 = 0
        while case let got = try source.read(into: buffer), got > 0 {
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<got])
            hasher.update(chunk)
            size += Int64(got)
            if size > limit { throw excess() }
            try forward(chunk)
        }
        return Digest(size: size, sha256: hasher.finalizeHex())
    }
}

/// One entry to write: its name, where its bytes come from, and how many there are.
private struct PlannedEntry {
    enum Source {
        /// A file, opened when planned so its size is the one in the tar header.
        case file(FileSource)
        /// A binary of an archive read earlier, which must still hash as it did then.
        case member(ArchiveMember, of: ProviderArchive)
    }

    let name: String
    let hashKey: String
    let source: Source
    let size: Int64

    /// Opens a file source (checking its size against the limit) or takes a member's size.
    init(name: String, hashKey: String, source: EntrySource, limits: ArchiveLimits) throws(ProviderArchiveError) {
        self.name = name
        self.hashKey = hashKey
        switch source {
        case .file(let url):
            let file = try FileSource(url: url)
            guard file.size <= limits.maximumEntrySize else {
                throw .inputTooLarge(path: url.path, size: file.size, limit: limits.maximumEntrySize)
            }
            self.source = .file(file)
            size = file.size
        case .member(let member, let archive):
            self.source = .member(member, of: archive)
            size = member.size
        }
    }
}

/// Streams sources into the tar writer, hashing them on the way. Members of an earlier archive are read
/// through one forward-moving reader per archive, reopened only when an entry lies behind it.
private struct EntryCopier {
    let limits: ArchiveLimits
    var cursors: [URL: (reader: TarReader, position: Int)] = [:]

    init(limits: ArchiveLimits) { self.limits = limits }

    /// Copies an entry's bytes into `write`.
    /// - Returns: their size and hash.
    /// - Throws: `.inputChanged` when a file no longer has the size it had when planned, or a member
    ///   no longer hashes as it did when its archive was read.
    mutating func copy(
        _ entry: PlannedEntry, into write: (UnsafeRawBufferPointer) throws(ProviderArchiveError) -> Void
    ) throws(ProviderArchiveError) -> Digest {
        switch entry.source {
        case .file(let file):
            let copied = try Digest.of(file, limit: entry.size, excess: .inputChanged(path: file.path), forward: write)
            guard copied.size == entry.size else { throw .inputChanged(path: file.path) }
            return copied
        case .member(let member, let archive):
            let reader = try seek(to: member, in: archive)
            let copied = try Digest.of(
                MemberSource(reader: reader), limit: member.size, excess: .inputChanged(path: archive.url.path), forward: write)
            guard copied == Digest(size: member.size, sha256: member.sha256) else { throw .inputChanged(path: archive.url.path) }
            return copied
        }
    }

    private mutating func seek(to member: ArchiveMember, in archive: ProviderArchive) throws(ProviderArchiveError) -> TarReader {
        var reader: TarReader
        var position: Int
        if let cursor = cursors[archive.url], cursor.position < member.position {
            (reader, position) = cursor
        } else {
            (reader, position) = (try TarReader(url: archive.url, limits: limits, useIndex: archive.readThroughIndex), -1)
        }
        while let entry = try reader.next() {
            position += 1
            if position == member.position {
                guard entry.name == member.entryName, entry.size == member.size else {
                    throw .inputChanged(path: archive.url.path)
                }
                cursors[archive.url] = (reader, position)
                return reader
            }
        }
        throw .inputChanged(path: archive.url.path)
    }
}

/// The current entry of a tar reader as a byte source.
private final class MemberSource: ByteSource {
    let reader: TarReader
    init(reader: TarReader) { self.reader = reader }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(ProviderArchiveError) -> Int {
        try reader.read(into: buffer)
    }
}

extension ProviderArchive {
    /// The largest member `contents(of:)` reads into memory: a WIT package is kilobytes.
    public static let maximumExtractedSize: Int64 = 16 << 20

    /// The bytes of one member (such as `world.wasm`), read again from the archive and checked against the size
    /// and hash the claims name.
    /// - Parameter member: a member of this archive (`world`, or one of `targets`).
    /// - Throws: `ProviderArchiveError.inputTooLarge` for a member over `maximumExtractedSize`,
    ///   `.inputChanged` when the file no longer holds it, or a reading error.
    public func contents(of member: ArchiveMember) throws(ProviderArchiveError) -> [UInt8] {
        guard member.size <= Self.maximumExtractedSize else {
            throw .inputTooLarge(path: url.path + ": " + member.entryName, size: member.size, limit: Self.maximumExtractedSize)
        }
        var copier = EntryCopier(limits: .standard)
        let entry = try PlannedEntry(name: member.entryName, hashKey: member.entryName, source: .member(member, of: self), limits: .standard)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(member.size))
        _ = try copier.copy(entry) { (chunk: UnsafeRawBufferPointer) throws(ProviderArchiveError) in bytes.append(contentsOf: chunk) }
        return bytes
    }
}

