/// The index swash's writer puts in the gzip header's FEXTRA field (RFC 1952 §2.3.1.1): where each
/// independently compressed piece of the one deflate stream ends, so a reader can inflate the pieces on every
/// core. Readers that do not know it skip FEXTRA (gzip, Python, Go, Rust's async-compression, libarchive), so
/// the file stays one ordinary gzip member.
///
/// Layout of the field: `XLEN` (2 bytes, little-endian), then one subfield `SI1 SI2` = `S W`, `LEN` (2 bytes),
/// and its data: version 1, three zero bytes, the piece count (4 bytes), then per piece its compressed and its
/// uncompressed length (4 bytes each), all little-endian. The writer reserves room for the most pieces the
/// stream can have and fills it in at the end; a count of 0 means "no index" (a stream that outgrew its room).
///
/// A piece is a run of deflate blocks that starts and ends on a byte boundary and refers to nothing before it:
/// one compressed chunk, or the stored blocks of the reserved claims. All but the last end with a non-final
/// block; a final empty block appended to such a piece makes it a complete deflate stream of its own.
///
/// Nothing here is trusted by a reader: `IndexedGzipInflater` checks every length against the file and what
/// inflating produces, and the CRC-32 and length of the trailer against the whole.
enum GzipIndex {
    /// One piece's lengths.
    struct Piece: Equatable, Sendable {
        var compressed: Int64
        var uncompressed: Int64
    }

    /// `S`, `W`.
    static let identifier: [UInt8] = [0x53, 0x57]
    static let version: UInt8 = 1
    /// From the start of the FEXTRA field (`XLEN`) to the subfield's data.
    static let dataOffsetInExtra = 6
    /// The most pieces a field can describe (`XLEN` is at most 65,535).
    static let maximumPieces = (65_535 - 4 - 8) / 8
    /// The largest piece the reader accepts, compressed or not (its buffers hold pieces whole: at most
    /// `workers + 3` outputs and `workers` inputs of this size, 44 MiB with four workers): swash's chunks are
    /// 1 MiB, the claims at most 1 MiB. An index naming a larger piece is not used.
    static let maximumPieceLength: Int64 = 4 << 20
    /// A complete final empty deflate block (fixed Huffman: BFINAL 1, BTYPE 01, end-of-block), byte-aligned.
    static let finalEmptyBlock: [UInt8] = [0x03, 0x00]

    /// How many pieces to reserve room for, for a stream of at most `length` bytes cut into `chunkSize` chunks
    /// (plus the partial chunk before the reserved stretch, the stretch, the final block, and one partial chunk
    /// per `boundaries` — entries start new pieces); 0 when more than a field can hold.
    static func room(forLength length: Int64, chunkSize: Int, boundaries: Int = 0) -> Int {
        let pieces = Int(length / Int64(chunkSize)) + 4 + boundaries
        return pieces <= maximumPieces ? pieces : 0
    }

    /// The FEXTRA field (from `XLEN`) with room for `room` pieces, describing `pieces`.
    static func extraField(pieces: [Piece], room: Int) -> [UInt8] {
        let dataLength = 8 + 8 * room
        var field = ByteOrder.littleEndianBytes(UInt32(dataLength + 4), width: 2) + identifier
            + ByteOrder.littleEndianBytes(UInt32(dataLength), width: 2)
        var payload = data(pieces: pieces)
        payload += [UInt8](repeating: 0, count: dataLength - payload.count)
        field += payload
        return field
    }

    /// The subfield's data describing `pieces`.
    static func data(pieces: [Piece]) -> [UInt8] {
        var bytes: [UInt8] = [version, 0, 0, 0] + ByteOrder.littleEndianBytes(UInt32(pieces.count))
        for piece in pieces {
            bytes += ByteOrder.littleEndianBytes(UInt32(truncatingIfNeeded: piece.compressed))
            bytes += ByteOrder.littleEndianBytes(UInt32(truncatingIfNeeded: piece.uncompressed))
        }
        return bytes
    }

    /// The length of the header that starts with these (at least 12) bytes, when it is swash's (FEXTRA alone).
    static func headerLength(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 12, bytes[0] == 0x1F, bytes[1] == 0x8B, bytes[2] == 0x08, bytes[3] == 0x04 else { return nil }
        return 12 + Int(ByteOrder.littleEndian(bytes, at: 10, width: 2))
    }

    /// The pieces described by a gzip header that starts `bytes`, and the header's length; `nil` unless the
    /// header is exactly what swash writes (FEXTRA alone, one `S W` subfield of version 1 with a count that fits).
    static func parse(_ bytes: [UInt8]) -> (headerLength: Int, pieces: [Piece])? {
        guard let headerLength = headerLength(bytes) else { return nil }
        let extraLength = headerLength - 12
        guard extraLength >= 4 + 8, bytes.count >= headerLength, Array(bytes[12..<14]) == identifier else { return nil }
        let dataLength = Int(ByteOrder.littleEndian(bytes, at: 14, width: 2))
        guard dataLength == extraLength - 4, bytes[16] == version else { return nil }
        let count = Int(ByteOrder.littleEndian(bytes, at: 20, width: 4))
        guard count > 0, 8 + 8 * count <= dataLength else { return nil }
        var pieces: [Piece] = []
        pieces.reserveCapacity(count)
        for index in 0..<count {
            let offset = 24 + 8 * index
            pieces.append(Piece(
                compressed: Int64(ByteOrder.littleEndian(bytes, at: offset, width: 4)),
                uncompressed: Int64(ByteOrder.littleEndian(bytes, at: offset + 4, width: 4))))
        }
        return (headerLength, pieces)
    }

}
