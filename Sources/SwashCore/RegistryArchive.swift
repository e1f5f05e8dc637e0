import Foundation

/// What validating an archive before a push, or after a pull, established.
struct ArchiveSummary: Sendable {
    /// The file starts with the gzip magic (`.par.gz`); otherwise it is a raw tar (`.par`).
    var compressed: Bool
}

/// The one place push and pull validate a provider archive.
///
/// STAND-IN until ProviderArchiveKit's verifying reader (branch `par`) is on `main`: this only checks
/// that the file starts like an archive — the gzip magic `1F 8B`, or a tar header with a valid checksum.
/// It will switch to the real reader (claims, hashes and signature verified) when `par` is merged.
/// - Throws: `SwashCoreError.invalidArchive` or `.fileUnreadable`.
func validateArchive(at url: URL) throws(SwashCoreError) -> ArchiveSummary {
    let head: Data
    do {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        head = try handle.read(upToCount: 512) ?? Data()
    } catch {
        throw .fileUnreadable(path: url.path, reason: error.localizedDescription)
    }
    let bytes = [UInt8](head)
    if bytes.count >= 2, bytes[0] == 0x1F, bytes[1] == 0x8B { return ArchiveSummary(compressed: true) }
    guard !bytes.isEmpty else { throw .invalidArchive(path: url.path, reason: "the file is empty") }
    guard bytes.count == 512 else {
        throw .invalidArchive(path: url.path, reason: "it is neither gzip (no 1F 8B magic) nor tar (shorter than one header)")
    }
    // The header checksum: bytes 148..<156 hold the octal sum of all header bytes, counting those eight as spaces.
    let stored = Int(String(decoding: bytes[148..<156].prefix { $0 != 0 && $0 != 0x20 }, as: UTF8.self), radix: 8)
    let sum = bytes.enumerated().reduce(0) { $0 + ((148..<156).contains($1.offset) ? 0x20 : Int($1.element)) }
    guard stored == sum else {
        throw .invalidArchive(path: url.path, reason: "it is neither gzip (no 1F 8B magic) nor tar (no valid header checksum)")
    }
    return ArchiveSummary(compressed: false)
}
