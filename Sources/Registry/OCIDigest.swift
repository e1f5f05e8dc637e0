import FileIO
import Foundation
import Wascap

/// A content digest as registries name blobs and manifests: `sha256:` and 64 lowercase hex digits.
///
/// Only SHA-256 is produced and accepted: it is what every registry and wash use.
public struct OCIDigest: Sendable, Hashable, CustomStringConvertible {
    /// The 64 lowercase hexadecimal digits.
    public let hex: String

    /// Parses `sha256:<64 hex>`; `nil` for anything else (other algorithms, uppercase, wrong length).
    /// - Parameter text: the digest as written.
    public init?(parsing text: String) {
        guard text.hasPrefix("sha256:") else { return nil }
        let hex = text.dropFirst("sha256:".count)
        guard hex.utf8.count == 64, hex.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
            return nil
        }
        self.hex = String(hex)
    }

    init(hex: String) { self.hex = hex }

    /// `sha256:<hex>`.
    public var description: String { "sha256:\(hex)" }

    /// The digest of bytes in memory (manifests, configs).
    public static func of(_ data: Data) -> OCIDigest {
        var hasher = OCIHasher()
        hasher.update(data)
        return hasher.finalize()
    }

    /// Streams a file through SHA-256 in 1 MiB reads.
    /// - Returns: the digest and the number of bytes read.
    /// - Throws: `FileSystemError` when the file cannot be read.
    public static func ofFile(at url: URL) throws(FileSystemError) -> (digest: OCIDigest, size: Int64) {
        do {
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            var hasher = OCIHasher()
            var size: Int64 = 0
            while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
                hasher.update(chunk)
                size += Int64(chunk.count)
            }
            return (hasher.finalize(), size)
        } catch {
            throw FileSystemError(.read, path: url.path, from: error)
        }
    }
}

/// Streaming SHA-256 for OCI digests: Wascap's hasher, with the lowercase hex registries use.
struct OCIHasher {
    private var hasher = SHA256()

    /// Feeds the next bytes.
    mutating func update(_ data: some ContiguousBytes) { hasher.update(data) }

    /// The digest of everything fed; the hasher is spent afterwards.
    mutating func finalize() -> OCIDigest { OCIDigest(hex: SHA256.hex(hasher.finalize()).lowercased()) }
}
