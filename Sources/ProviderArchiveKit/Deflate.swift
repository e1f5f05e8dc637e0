internal import CDeflate
internal import CZlib

// Every libdeflate and zlib call of this module lives in this file: libdeflate compresses (faster and
// denser than zlib at any level) and computes CRC-32s; zlib inflates, because it can stream, which
// libdeflate cannot.

/// CRC-32 (IEEE 802.3, reflected, as gzip's trailer holds it), on libdeflate's carry-less-multiply code.
struct CRC32 {
    private(set) var value: UInt32 = 0

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        value = libdeflate_crc32(value, base, bytes.count)
    }

    /// The CRC-32 of `a ‖ b` from the CRC-32 of `a`, the CRC-32 of `b` and the length of `b`.
    static func combine(_ first: UInt32, _ second: UInt32, secondLength: Int64) -> UInt32 {
        UInt32(truncatingIfNeeded: crc32_combine(uLong(first), uLong(second), .init(secondLength)))
    }
}

/// libdeflate's whole-buffer decompressor, for the pieces of an indexed archive (`IndexedGzipInflater`): about
/// twice zlib's speed, but it needs a complete deflate stream and room for all its output. Not thread-safe: one
/// per thread.
final class PieceInflater {
    private let decompressor: OpaquePointer

    init?() {
        guard let decompressor = libdeflate_alloc_decompressor() else { return nil }
        self.decompressor = decompressor
    }

    deinit { libdeflate_free_decompressor(decompressor) }

    /// Inflates the complete raw deflate stream `input` into `output`.
    /// - Returns: the bytes consumed and produced, or `nil` for bad data or output that does not fit.
    func inflate(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> (consumed: Int, produced: Int)? {
        var consumed = 0
        var produced = 0
        let result = libdeflate_deflate_decompress_ex(
            decompressor, input.baseAddress, input.count, output.baseAddress, output.count, &consumed, &produced)
        return result == LIBDEFLATE_SUCCESS ? (consumed, produced) : nil
    }
}

/// A libdeflate compressor at one level. Not thread-safe: one per thread.
final class RawDeflater {
    private let compressor: OpaquePointer

    /// - Parameter level: 1 (fastest) … 12 (densest); libdeflate's 6 is denser than zlib's 9.
    init(level: Int) {
        guard let compressor = libdeflate_alloc_compressor(Int32(level)) else {
            fatalError("libdeflate_alloc_compressor(\(level)) failed: out of memory or a bad level")
        }
        self.compressor = compressor
    }

    deinit { libdeflate_free_compressor(compressor) }

    /// The most bytes `compress` can write for `count` input bytes, at any level.
    static func bound(_ count: Int) -> Int { libdeflate_deflate_compress_bound(nil, count) }

    /// Compresses `input` as one complete raw deflate stream (its last block has BFINAL set).
    /// - Returns: the bytes written to `output`, which must hold `RawDeflater.bound(input.count)`.
    func compress(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Int {
        let written = libdeflate_deflate_compress(compressor, input.baseAddress, input.count, output.baseAddress, output.count)
        precondition(written > 0, "the output buffer is smaller than libdeflate_deflate_compress_bound")
        return written
    }
}

/// A zlib inflater for raw deflate data (no zlib or gzip wrapper), fed piece by piece.
final class RawInflater {
    /// One call's outcome.
    struct Step {
        /// Input bytes used.
        var consumed: Int
        /// Output bytes written.
        var produced: Int
        /// The deflate stream's final block has ended.
        var finished: Bool
        /// Stopped just after a block's end-of-block code (only when asked to stop at boundaries).
        var atBlockBoundary: Bool
        /// The block that just ended had BFINAL set.
        var inFinalBlock: Bool
        /// Bits of the last consumed input byte(s) not yet used; the next bit to read is
        /// `8 × (bytes consumed so far) − unusedBits`.
        var unusedBits: Int
    }

    private let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)

    init() {
        stream.initialize(to: z_stream())
        guard swash_inflate_init_raw(stream) == Z_OK else { fatalError("zlib inflateInit2 failed: out of memory") }
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Starts a new stream.
    func reset() { inflateReset(stream) }

    /// Inflates as much of `input` into `output` as fits.
    /// - Parameter stopAtBlocks: return after each block's end-of-block code (zlib's `Z_BLOCK`); the tests
    ///   check `DeflateBlockWalker` against this.
    /// - Throws: zlib's message when the data is not valid deflate.
    func inflate(
        _ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer, stopAtBlocks: Bool = false
    ) throws(InflateError) -> Step {
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(input.count)
        stream.pointee.next_out = output.baseAddress?.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = uInt(output.count)
        let status = CZlib.inflate(stream, stopAtBlocks ? Z_BLOCK : Z_NO_FLUSH)
        let dataType = Int(stream.pointee.data_type)
        let step = Step(
            consumed: input.count - Int(stream.pointee.avail_in), produced: output.count - Int(stream.pointee.avail_out),
            finished: status == Z_STREAM_END, atBlockBoundary: dataType & 128 != 0, inFinalBlock: dataType & 64 != 0,
            unusedBits: dataType & 63)
        switch status {
        case Z_OK, Z_STREAM_END, Z_BUF_ERROR:  // Z_BUF_ERROR: no progress possible without more input or room
            return step
        case Z_MEM_ERROR:
            throw InflateError(message: "out of memory")
        default:
            throw InflateError(message: stream.pointee.msg.map { String(cString: $0) } ?? "invalid deflate data (zlib \(status))")
        }
    }
}

/// Why zlib could not inflate.
struct InflateError: Error {
    let message: String
}
