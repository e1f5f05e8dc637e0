internal import CSodium
import Foundation

/// Streaming SHA-256 for OCI digests (libsodium).
///
/// Stand-in: the `par` branch adds a public streaming `Wascap.SHA256`; once it is on `main`, this type
/// forwards to it and SwashCore drops its direct `CSodium` dependency.
struct OCIHasher {
    private static let ready: Bool = sodium_init() >= 0
    private var state = crypto_hash_sha256_state()

    init() {
        _ = Self.ready
        crypto_hash_sha256_init(&state)
    }

    /// Feeds the next bytes.
    mutating func update(_ data: some ContiguousBytes) {
        data.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress, buffer.count > 0 else { return }
            _ = crypto_hash_sha256_update(&state, base.assumingMemoryBound(to: UInt8.self), UInt64(buffer.count))
        }
    }

    /// The digest of everything fed; the hasher is spent afterwards.
    mutating func finalize() -> OCIDigest {
        var digest = [UInt8](repeating: 0, count: Int(crypto_hash_sha256_BYTES))
        _ = crypto_hash_sha256_final(&state, &digest)
        let digits = Array("0123456789abcdef".utf8)
        return OCIDigest(hex: String(decoding: digest.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] }, as: UTF8.self))
    }
}
