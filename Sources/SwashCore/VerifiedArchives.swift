import FileIO
import Foundation
import Registry

/// The digests of archives whose contents swash has vouched for: archives it wrote itself (`build`,
/// `par create`/`insert`/`merge`) and archives that passed its full verification (`push`, `pull`). Kept in
/// `~/.wash/cache/swash/verified-archives`, one line per archive, `sha256:<hex>` and the `FileIdentity` of the
/// file it was last seen as, newest last, at most `capacity` lines.
///
/// A digest names exact bytes, so an archive with a remembered digest holds the entries, hashes and gzip
/// trailer that were checked (or written) before: `push` then skips re-reading them and checks only what can
/// change with time, its claims' signature and validity window. The file identity only predicts a digest
/// (it lets `push` upload the archive without reading it first); the registry's check of the digest against
/// the bytes it received decides. It is a cache: a missing, unreadable or damaged file, or a lost update when two swash processes
/// write at once, costs a full verification, never a wrong verdict.
struct VerifiedArchives: Sendable {
    /// How many archives are remembered.
    static let capacity = 256
    /// The file.
    let file: URL

    /// One remembered archive.
    struct Entry: Equatable {
        var digest: OCIDigest
        var identity: FileIdentity?
    }

    /// The list of the user whose home `context` names.
    init(context: SwashContext) {
        file = context.homeDirectory.appendingPathComponent(".wash/cache/swash/verified-archives")
    }

    /// Whether `digest` is remembered.
    func contains(_ digest: OCIDigest) -> Bool {
        entries().contains { $0.digest == digest }
    }

    /// The digest remembered for the file at `url` as it is now (same device, inode, size and times), if any.
    func predictedDigest(of url: URL) -> OCIDigest? {
        guard let identity = FileIdentity(of: url) else { return nil }
        return entries().last { $0.identity == identity }?.digest
    }

    /// Remembers `digest`, as the contents of `file` when given (its identity is read now): the same bytes
    /// may be remembered as several files (an archive and its pulled copy). An earlier entry for the same file,
    /// or the same entry, is replaced. Failures are ignored: the next push verifies.
    func record(_ digest: OCIDigest, file archive: URL? = nil) {
        let identity = archive.flatMap { FileIdentity(of: $0) }
        var kept = entries().filter { entry in
            !(identity != nil && entry.identity == identity) && !(entry.digest == digest && entry.identity == identity)
        }
        kept.append(Entry(digest: digest, identity: identity))
        let text = kept.suffix(Self.capacity).map { entry in
            entry.identity.map { "\(entry.digest) \($0)\n" } ?? "\(entry.digest)\n"
        }.joined()
        try? Directories.createPrivate(file.deletingLastPathComponent())
        try? AtomicFile.write(Array(text.utf8), to: file)
    }

    /// Remembers an archive swash has just written at `archive` (`sha256`: 64 lowercase hex digits).
    func record(sha256 hex: String, file archive: URL) {
        if let digest = OCIDigest(parsing: "sha256:\(hex)") { record(digest, file: archive) }
    }

    /// The remembered archives, oldest first; lines that do not parse are skipped.
    private func entries() -> [Entry] {
        guard let bytes = try? FileStatus.readSmallFile(file, limit: Self.capacity * 160, what: "the list of verified archives")
        else { return [] }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard (1...2).contains(fields.count), let digest = OCIDigest(parsing: String(fields[0])) else { return nil }
            if fields.count == 1 { return Entry(digest: digest) }
            guard let identity = FileIdentity(parsing: fields[1]) else { return nil }
            return Entry(digest: digest, identity: identity)
        }
    }
}
