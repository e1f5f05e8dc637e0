import Foundation
import NKeys
import Wascap

/// A binary inside an archive: a target's `<target>.bin` or the WIT package `world.wasm`.
public struct ArchiveMember: Sendable, Hashable {
    /// The entry's name in the tar stream (without any leading `./`).
    public let entryName: String
    /// Its size in bytes.
    public let size: Int64
    /// Its SHA-256, 64 uppercase hex characters, as computed while reading.
    public let sha256: String
    /// Its index among all entries of the stream, so it can be found again.
    let position: Int
    /// Where its header starts in the uncompressed tar stream (-1: unknown).
    var streamStart: Int64 = -1
}

/// A provider archive that passed a verifying read (SPEC §3): every entry was streamed, hashed and
/// checked against `claims.jwt`, and the gzip trailer (if any) was verified. Nothing was written to disk.
///
/// The claims' signature and validity times are not judged here; see `validation(at:)` and
/// `requireTrusted(at:)`.
public struct ProviderArchive: Sendable {
    /// The file read.
    public let url: URL
    /// Whether the tar stream is gzip-compressed.
    public let compression: ArchiveCompression
    /// The claims token from `claims.jwt`.
    public let token: ClaimsToken
    /// The binaries, by target.
    public let targets: [TargetName: ArchiveMember]
    /// The embedded WIT package, if any.
    public let world: ArchiveMember?
    /// Whether the gzip stream was inflated through swash's index on every core (`GzipIndex`); false for an
    /// archive without one, and for one whose index did not hold (it was then read again without it).
    public let readThroughIndex: Bool
    /// For each entry whose header and data are exactly a run of index pieces: those pieces, so a writer can
    /// copy them byte for byte instead of inflating and compressing again (`ParallelGzipWriter.splice`).
    let splices: [String: [SplicePiece]]

    /// The decoded claims.
    public var claims: ProviderClaims { token.claims }

    /// The target names, sorted.
    public var targetNames: [TargetName] { targets.keys.sorted() }

    /// Reads and verifies an archive, streaming every entry to the end.
    /// - Parameters:
    ///   - url: a `.par.gz` or `.par` file (told apart by the gzip magic, not the name).
    ///   - limits: size and count limits against hostile input.
    /// - Throws: `ProviderArchiveError.cannotRead`, or `.invalidArchive` naming the defect and entry:
    ///   damage or truncation, a bad gzip trailer, unsafe names, links, devices, duplicates, entries over
    ///   the limits, missing or invalid claims, no targets, a missing hash or a hash mismatch.
    public init(verifying url: URL, limits: ArchiveLimits = .standard) throws(ProviderArchiveError) {
        try self.init(verifying: url, growing: nil, limits: limits)
    }

    /// Reads and verifies an archive that another thread is still writing (a download), as its bytes arrive:
    /// as `init(verifying:limits:)` otherwise.
    /// - Parameters:
    ///   - url: the file being written.
    ///   - growing: the writer's progress; the reader waits for bytes not yet written, and fails when the writer
    ///     abandons the file.
    ///   - limits: size and count limits against hostile input.
    public init(verifying url: URL, growing: GrowingFile?, limits: ArchiveLimits = .standard) throws(ProviderArchiveError) {
        // Through the index when there is one; any failure on that path, whatever its cause, is settled by
        // reading again without it: the index is a speed-up, never an authority.
        var indexed = false
        do {
            self = try Self(reading: url, growing: growing, limits: limits, useIndex: true, indexed: &indexed)
        } catch {
            guard indexed else { throw error }
            self = try Self(reading: url, growing: growing, limits: limits, useIndex: false, indexed: &indexed)
        }
    }

    /// Reads and verifies an archive, through its gzip index when `useIndex` and it has one (`indexed` says so).
    private init(
        reading url: URL, growing: GrowingFile?, limits: ArchiveLimits, useIndex: Bool, indexed: inout Bool
    ) throws(ProviderArchiveError) {
        // Until the reader exists, a failure may have come from the index (the first pieces are read while
        // opening); a file without one is then read twice, with the same verdict.
        indexed = useIndex
        let reader = try TarReader(url: url, limits: limits, growing: growing, useIndex: useIndex)
        indexed = reader.readsThroughIndex
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        var token: ClaimsToken?
        var world: ArchiveMember?
        var targets: [TargetName: ArchiveMember] = [:]
        var position = -1
        while let entry = try reader.next() {
            position += 1
            guard entry.kind == .file else { continue }
            switch EntryName.role(of: entry.name) {
            case .claims:
                guard token == nil else { throw reader.invalid(.duplicateEntry(entry.name, role: "claims token")) }
                token = try Self.readToken(entry, from: reader, limits: limits, buffer: buffer)
            case .world:
                guard world == nil else { throw reader.invalid(.duplicateEntry(entry.name, role: "WIT package")) }
                world = try Self.hash(entry, position: position, from: reader, buffer: buffer)
            case .target(let stem):
                let target: TargetName
                do { target = try TargetName(stem) } catch {
                    throw reader.invalid(.unsafeEntryName(entry.name, reason: TargetName.problem(with: stem) ?? "invalid target name"))
                }
                guard targets[target] == nil else {
                    throw reader.invalid(.duplicateEntry(entry.name, role: "binary for target \(target)"))
                }
                targets[target] = try Self.hash(entry, position: position, from: reader, buffer: buffer)
            }
        }
        try reader.finish()

        guard let token else { throw reader.invalid(.missingClaims) }
        guard !targets.isEmpty else { throw reader.invalid(.noTargets) }
        let claims = token.claims
        for key in claims.targetHashes.keys.sorted() where key != ProviderClaims.worldHashKey {
            if let problem = TargetName.problem(with: key) { throw reader.invalid(.invalidTargetInClaims(key, reason: problem)) }
        }
        var members = targets.sorted { $0.key < $1.key }.map { ($0.key.rawValue, $0.value) }
        if let world { members.insert((ProviderClaims.worldHashKey, world), at: 0) }
        for (key, member) in members {
            guard let expected = claims.targetHashes[key] else {
                throw reader.invalid(.missingHash(entry: member.entryName, target: key))
            }
            guard claims.hash(of: key, matches: member.sha256) else {
                throw reader.invalid(.hashMismatch(entry: member.entryName, expected: expected, actual: member.sha256))
            }
        }
        for key in claims.targetHashes.keys.sorted() where !members.contains(where: { $0.0 == key }) {
            throw reader.invalid(.missingEntry(target: key == ProviderClaims.worldHashKey ? key : key + ".bin"))
        }
        self.url = url
        self.readThroughIndex = reader.readsThroughIndex
        self.splices = Self.splices(of: Array(targets.values) + (world.map { [$0] } ?? []), pieces: reader.splicePieces)
        self.compression = reader.compression
        self.token = token
        self.targets = targets
        self.world = world
    }

    /// Reads only as far as `claims.jwt` (entries before it are still checked for safety) and
    /// decodes it. Hashes and the gzip trailer are not verified: this is `--jwt-only`. When the claims
    /// come first, as they do in every archive swash or wash writes, a few kilobytes are read whatever
    /// the archive's size.
    /// - Throws: `ProviderArchiveError.invalidArchive` (`.missingClaims`, `.invalidClaims`, damage, …).
    public static func readToken(from url: URL, limits: ArchiveLimits = .standard) throws(ProviderArchiveError) -> ClaimsToken {
        let reader = try TarReader(url: url, limits: limits, readAhead: false)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        while let entry = try reader.next() {
            if entry.kind == .file, EntryName.role(of: entry.name) == .claims {
                return try readToken(entry, from: reader, limits: limits, buffer: buffer)
            }
        }
        throw reader.invalid(.missingClaims)
    }

    private static func readToken(
        _ entry: TarEntry, from reader: TarReader, limits: ArchiveLimits, buffer: UnsafeMutableRawBufferPointer
    ) throws(ProviderArchiveError) -> ClaimsToken {
        guard entry.size <= limits.maximumClaimsSize else {
            throw reader.invalid(.entryTooLarge(entry.name, size: entry.size, limit: limits.maximumClaimsSize))
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(entry.size))
        while case let got = try reader.read(into: buffer), got > 0 {
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[0..<got]))
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw reader.invalid(.claimsNotUTF8(entry.name)) }
        do {
            return try ClaimsToken(decoding: text)
        } catch {
            throw reader.invalid(.invalidClaims(entry.name, error))
        }
    }

    private static func hash(
        _ entry: TarEntry, position: Int, from reader: TarReader, buffer: UnsafeMutableRawBufferPointer
    ) throws(ProviderArchiveError) -> ArchiveMember {
        var hasher = SHA256()
        var size: Int64 = 0
        while case let got = try reader.read(into: buffer), got > 0 {
            hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<got]))
            size += Int64(got)
        }
        guard size == entry.size else {
            throw reader.invalid(.corrupt(entry: entry.name, reason: "\(size) bytes of data for a declared size of \(entry.size)"))
        }
        return ArchiveMember(entryName: entry.name, size: size, sha256: hasher.finalizeHex(), position: position, streamStart: entry.headerPosition)
    }

    /// The runs of pieces that hold exactly one member each (header, data, padding to 512 bytes).
    private static func splices(of members: [ArchiveMember], pieces: [SplicePiece]?) -> [String: [SplicePiece]] {
        guard let pieces, !pieces.isEmpty else { return [:] }
        var starts: [Int64: Int] = [:]  // uncompressed offset where piece i starts → i
        var offset: Int64 = 0
        for (index, piece) in pieces.enumerated() {
            starts[offset] = index
            offset += piece.uncompressed
        }
        starts[offset] = pieces.count
        var result: [String: [SplicePiece]] = [:]
        for member in members where member.streamStart >= 0 {
            let end = member.streamStart + 512 + (member.size + 511) / 512 * 512
            guard let first = starts[member.streamStart], let last = starts[end], first < last else { continue }
            result[member.entryName] = Array(pieces[first..<last])
        }
        return result
    }

    // MARK: Trust

    /// Judges the claims: signature against the issuer, and `exp`/`nbf` against `now`.
    /// - Parameter now: unix seconds.
    public func validation(at now: UInt64) -> TokenValidation { token.validate(at: now) }

    /// Throws unless the signature is valid and the claims are within their validity window.
    /// - Throws: `ProviderArchiveError.untrustedClaims` with the reason.
    public func requireTrusted(at now: UInt64) throws(ProviderArchiveError) {
        try Self.requireTrusted(token, at: now, archive: url.path)
    }

    /// The claims token, read as `readToken(from:)` does (a few kilobytes), and required trusted at `now` as
    /// `requireTrusted(at:)` does: what can be checked of an archive without reading its binaries.
    /// - Throws: what `readToken(from:)` throws, or `ProviderArchiveError.untrustedClaims` with the reason.
    public static func readTrustedToken(from url: URL, at now: UInt64, limits: ArchiveLimits = .standard)
        throws(ProviderArchiveError) -> ClaimsToken
    {
        let token = try readToken(from: url, limits: limits)
        try requireTrusted(token, at: now, archive: url.path)
        return token
    }

    private static func requireTrusted(_ token: ClaimsToken, at now: UInt64, archive: String) throws(ProviderArchiveError) {
        do throws(WascapError) {
            try token.validate(at: now).check(issuer: token.claims.issuer)
        } catch {
            throw .untrustedClaims(archive: archive, error)
        }
    }

    /// Throws unless re-signing with `issuer` keeps the archive's issuer, or `force` allows the change.
    /// - Throws: `ProviderArchiveError.issuerMismatch` naming both accounts and the way out.
    public func checkResigning(by issuer: PublicKey, force: Bool) throws(ProviderArchiveError) {
        guard issuer.encoded != claims.issuer, !force else { return }
        throw .issuerMismatch(archive: url.path, archiveIssuer: claims.issuer, givenIssuer: issuer.encoded)
    }

    // MARK: Carrying over

    /// The metadata that `insert` carries over: name, vendor, capability id, revision, version, schema.
    public var metadata: ArchiveMetadata {
        ArchiveMetadata(
            name: claims.name, vendor: claims.vendor, capabilityContractID: claims.capabilityContractID,
            revision: claims.revision, version: claims.version, configSchema: claims.configSchema)
    }

    /// Sources that copy every target of this archive into a new one.
    public var targetSources: [TargetName: EntrySource] { targets.mapValues { .member($0, of: self) } }

    /// The source that copies this archive's WIT package, if it has one.
    public var worldSource: EntrySource? { world.map { .member($0, of: self) } }
}

