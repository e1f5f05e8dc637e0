internal import CCrypto
import Foundation

/// Streaming SHA-256, for hashing provider binaries chunk by chunk: OpenSSL's libcrypto, which uses the CPU's
/// SHA extensions (SHA-NI) where present — 1.7 GB/s on this project's machine against libsodium's portable C at
/// 0.3 GB/s (docs/archive.md). The state is a plain value: copying a hasher copies its state.
public struct SHA256: Sendable {
    private var state = swash_sha256_state()
    private var finished = false

    /// A fresh hasher.
    public init() {
        swash_sha256_init(&state)
    }

    /// Feeds bytes into the hash.
    /// - Parameter bytes: the next chunk; may be empty.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        precondition(!finished, "SHA256.update after finalize")
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        swash_sha256_update(&state, base, bytes.count)
    }

    /// Feeds bytes into the hash.
    public mutating func update(_ bytes: some ContiguousBytes) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The 32-byte digest; the hasher is spent afterwards.
    public mutating func finalize() -> [UInt8] {
        precondition(!finished, "SHA256.finalize called twice")
        finished = true
        var digest = [UInt8](repeating: 0, count: 32)
        swash_sha256_final(&state, &digest)
        return digest
    }

    /// The digest as wascap writes it: 64 uppercase hexadecimal characters.
    public mutating func finalizeHex() -> String { Self.hex(finalize()) }

    /// SHA-256 of a whole byte buffer.
    public static func hash(_ bytes: some ContiguousBytes) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// Uppercase hexadecimal of `bytes`.
    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            output.append(digits[Int(byte >> 4)])
            output.append(digits[Int(byte & 15)])
        }
        return String(decoding: output, as: UTF8.self)
    }
}

