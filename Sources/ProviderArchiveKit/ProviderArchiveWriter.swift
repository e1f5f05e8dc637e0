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
/// Each binary is streamed twice in 1 MiB chunks, never held in memory: once to hash it for the claims,
/// once into the archive, re-hashed on the way so a file that changed in between fails the write.
/// The archive appears at its destination complete or not at all.
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
    /// - Returns: the signed claims token written as `claims.jwt`.
    /// - Throws: `ProviderArchiveError.cannotRead` for an unreadable input, `.inputTooLarge`,
    ///   `.inputChanged`, `.signingFailed`, `.cannotWrite`, or a reading error of a carried-over entry.
    @discardableResult
    public func write(
        metadata: ArchiveMetadata, targets: [TargetName: EntrySource], world: EntrySource? = nil,
        signing: ArchiveSigning, to destination: URL
    ) throws(ProviderArchiveError) -> ClaimsToken {
        guard !targets.isEmpty else {
            throw .cannotWrite(path: destination.path, reason: "an archive needs at least one target binary")
        }
        let ordered = targets.sorted { $0.key < $1.key }
        var entries = try ordered.map { (target, source) throws(ProviderArchiveError) in
            PlannedEntry(name: target.entryName, hashKey: target.rawValue, source: source, digest: try measure(source))
        }
        if let world {
            entries.insert(
                PlannedEntry(name: "world.wasm", hashKey: ProviderClaims.worldHashKey, source: world, digest: try measure(world)),
                at: 0)
        }
        var claims = ProviderClaims(
            id: "", issuedAt: signing.issuedAt, issuer: signing.issuer.publicKey.encoded,
            subject: signing.subject.encoded, name: metadata.name,
            capabilityContractID: metadata.capabilityContractID, vendor: metadata.vendor,
            revision: metadata.revision, version: metadata.version,
            targetHashes: Dictionary(uniqueKeysWithValues: entries.map { ($0.hashKey, $0.digest.sha256) }),
            configSchema: metadata.configSchema)
        claims.id = signing.reproducible ? claims.deterministicID : ProviderClaims.randomID()
        let token: ClaimsToken
        do { token = try ClaimsToken.sign(claims, issuer: signing.issuer) } catch { throw .signingFailed(error) }

        let file = try AtomicFile(destination: destination)
        let tar = try TarWriter(descriptor: file.descriptor, path: destination.path, compression: compression)
        let tokenBytes = Array(token.encoded.utf8)
        try tar.addEntry(name: "claims.jwt", contents: tokenBytes, permissions: 0o644, modificationTime: modificationTime)
        var copier = EntryCopier(limits: limits)
        for entry in entries {
            try tar.addEntry(name: entry.name, size: entry.digest.size, permissions: 0o755, modificationTime: modificationTime) {
                (write) throws(ProviderArchiveError) in
                try copier.copy(entry.source, expecting: entry.digest, into: write)
            }
        }
        try tar.close()
        try file.commit()
        return token
    }

    /// Size and hash of a source: a file is streamed once; a member's were computed when its archive was read.
    private func measure(_ source: EntrySource) throws(ProviderArchiveError) -> Digest {
        switch source {
        case .member(let member, _):
            return Digest(size: member.size, sha256: member.sha256)
        case .file(let url):
            let file = try FileSource(url: url)
            guard file.size <= limits.maximumEntrySize else {
                throw .inputTooLarge(path: url.path, size: file.size, limit: limits.maximumEntrySize)
            }
            return try Digest.of(
                file, limit: limits.maximumEntrySize,
                excess: .inputTooLarge(path: url.path, size: file.size, limit: limits.maximumEntrySize))
        }
    }
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

/// One entry to write, with what its bytes must hash to.
private struct PlannedEntry {
    let name: String
    let hashKey: String
    let source: EntrySource
    let digest: Digest
}

/// Streams sources into the tar writer, checking each against the digest measured earlier.
/// Members of an earlier archive are read through one forward-moving reader per archive, reopened
/// only when an entry lies behind it.
private struct EntryCopier {
    let limits: ArchiveLimits
    var cursors: [URL: (reader: TarReader, position: Int)] = [:]

    init(limits: ArchiveLimits) { self.limits = limits }

    mutating func copy(
        _ source: EntrySource, expecting digest: Digest,
        into write: (UnsafeRawBufferPointer) throws(ProviderArchiveError) -> Void
    ) throws(ProviderArchiveError) {
        switch source {
        case .file(let url):
            let file = try FileSource(url: url)
            let copied = try Digest.of(file, limit: digest.size, excess: .inputChanged(path: url.path), forward: write)
            try check(copied, digest, path: url.path)
        case .member(let member, let archive):
            let reader = try seek(to: member, in: archive)
            let copied = try Digest.of(
                MemberSource(reader: reader), limit: digest.size, excess: .inputChanged(path: archive.url.path), forward: write)
            try check(copied, digest, path: archive.url.path)
        }
    }

    private func check(_ actual: Digest, _ expected: Digest, path: String) throws(ProviderArchiveError) {
        guard actual == expected else { throw .inputChanged(path: path) }
    }

    private mutating func seek(to member: ArchiveMember, in archive: ProviderArchive) throws(ProviderArchiveError) -> TarReader {
        var reader: TarReader
        var position: Int
        if let cursor = cursors[archive.url], cursor.position < member.position {
            (reader, position) = cursor
        } else {
            (reader, position) = (try TarReader(url: archive.url, limits: limits), -1)
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
