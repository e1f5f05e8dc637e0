import Foundation

/// Compresses a byte stream into **one gzip member** on every core.
///
/// The stream is cut into chunks of `chunkSize` bytes at fixed positions (so the output does not depend
/// on thread timing). Worker threads compress each chunk independently with libdeflate, compute its
/// CRC-32, and turn its raw deflate stream into one that more blocks may follow (see `makeJoinable`);
/// the calling thread writes the results in order, so the member is the chunks' deflate blocks one after
/// the other, then the last chunk's final block, then the trailer with the CRC-32s combined.
///
/// At most `workers + 2` chunks exist at once, so memory does not depend on the stream's length.
///
/// A stretch of the stream can be *reserved*: written uncompressed (as stored blocks) and replaced later
/// by bytes of the same length with `patch`. The archive writer reserves `claims.jwt` this way, so it can
/// hash the binaries while compressing them and sign the claims afterwards.
final class ParallelGzipWriter: TarSink {
    /// libdeflate's level 6: denser than zlib's (and `gzip`'s) 9 on executables, about 6× faster.
    static let defaultLevel = 6
    /// 1 MiB: each chunk starts without the 32 KiB of history deflate could have matched against, which
    /// costs about 0.5 KB of output per chunk on executables (0.1%); 4 MiB chunks would save 0.08% overall
    /// for four times the memory, 256 KiB ones lose 0.4%.
    static let defaultChunkSize = 1 << 20

    private let file: ArchiveFile
    private let queue: ChunkQueue
    private var free: [DeflateChunk] = []
    /// Submitted chunks, oldest first; they are written in this order.
    private var inFlight: [DeflateChunk] = []
    private var current: DeflateChunk
    /// CRC-32 and length of consecutive stretches of the stream; a reserved stretch has its own.
    private var segments: [(crc: UInt32, length: Int64)] = [(0, 0)]
    private var reserved: [UInt8]?
    private var finished = false
    /// Where the index's subfield data starts in the file, and how many pieces it has room for.
    private let indexRoom: (offset: Int64, pieces: Int)?
    /// The pieces written so far: compressed and uncompressed length (`GzipIndex`).
    private var pieces: [GzipIndex.Piece] = []

    /// Writes the gzip header and starts the workers.
    /// - Parameters:
    ///   - file: the output; written from its current end.
    ///   - level: libdeflate's compression level.
    ///   - chunkSize: bytes compressed independently.
    ///   - workers: compressing threads (default: one per active core).
    ///   - expectedLength: at least the stream's length, when known: room for an index of its pieces is
    ///     reserved in the gzip header (`GzipIndex`) and filled in by `finish`.
    ///   - entries: how many entries the stream will have (each starts a piece: `boundary()`).
    init(
        file: ArchiveFile, level: Int = defaultLevel, chunkSize: Int = defaultChunkSize,
        workers: Int = ProcessInfo.processInfo.activeProcessorCount, expectedLength: Int64? = nil, entries: Int = 0
    ) throws(ProviderArchiveError) {
        self.file = file
        let workers = max(1, min(workers, 16))
        queue = ChunkQueue()
        for _ in 0..<(workers + 2) { free.append(DeflateChunk(capacity: chunkSize)) }
        current = free.removeLast()
        for _ in 0..<workers { queue.startWorker(level: level) }
        // Magic, deflate, no flags (or FEXTRA), no mtime (reproducible), no extra flags, OS "Unix".
        let room = expectedLength.map { GzipIndex.room(forLength: $0, chunkSize: chunkSize, boundaries: entries + 1) } ?? 0
        if room > 0 {
            try file.append([0x1F, 0x8B, 0x08, 0x04, 0, 0, 0, 0, 0x00, 0x03])
            let header = GzipIndex.extraField(pieces: [], room: room)
            indexRoom = (file.size + Int64(GzipIndex.dataOffsetInExtra), room)
            try file.append(header)
        } else {
            try file.append([0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03])
            indexRoom = nil
        }
    }

    deinit { queue.close() }

    func write(_ bytes: UnsafeRawBufferPointer) throws(ProviderArchiveError) {
        if reserved != nil {
            reserved!.append(contentsOf: bytes)
            return
        }
        var offset = 0
        while offset < bytes.count {
            let taken = current.append(UnsafeRawBufferPointer(rebasing: bytes[offset...]))
            offset += taken
            if current.isFull {
                try submit(isFinal: false)
            }
        }
    }

    func boundary() throws(ProviderArchiveError) {
        if reserved == nil, current.count > 0 { try submit(isFinal: false) }
    }

    /// Copies pieces of another indexed archive (one entry's header, data and padding, verified when that archive
    /// was read) into the stream byte for byte: no inflating, no compressing. Their CRC-32s are combined into the
    /// trailer's and they join the index.
    /// - Throws: `.inputChanged` when a piece's bytes no longer have the CRC-32 they had when verified.
    func splice(_ spliced: [SplicePiece], from url: URL) throws(ProviderArchiveError) {
        precondition(reserved == nil && !finished)
        try boundary()
        while !inFlight.isEmpty { try retireOldest() }
        let source = try FileSource(url: url)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Int(spliced.map(\.compressed).max() ?? 1), alignment: 64)
        defer { buffer.deallocate() }
        for piece in spliced {
            let bytes = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<Int(piece.compressed)])
            guard try source.read(at: piece.offset, into: bytes) == bytes.count else { throw .inputChanged(path: url.path) }
            var crc = CRC32()
            crc.update(UnsafeRawBufferPointer(bytes))
            guard crc.value == piece.compressedCRC else { throw .inputChanged(path: url.path) }
            try file.append(UnsafeRawBufferPointer(bytes))
            pieces.append(GzipIndex.Piece(compressed: piece.compressed, uncompressed: piece.uncompressed))
            var last = segments.removeLast()
            last.crc = CRC32.combine(last.crc, piece.crc, secondLength: piece.uncompressed)
            last.length += piece.uncompressed
            segments.append(last)
        }
    }

    func beginReserved() throws(ProviderArchiveError) {
        precondition(reserved == nil && segments.count == 1, "one reserved stretch per stream")
        if current.count > 0 { try submit(isFinal: false) }
        while !inFlight.isEmpty { try retireOldest() }
        reserved = []
    }

    func endReserved() throws(ProviderArchiveError) -> Reservation {
        guard let bytes = reserved else { preconditionFailure("endReserved without beginReserved") }
        reserved = nil
        let reservation = Reservation(offset: file.size, count: bytes.count)
        let stored = Self.storedBlocks(bytes)
        try file.append(stored)
        pieces.append(GzipIndex.Piece(compressed: Int64(stored.count), uncompressed: Int64(bytes.count)))
        segments.append((Self.crc(bytes), Int64(bytes.count)))
        segments.append((0, 0))
        return reservation
    }

    func patch(_ reservation: Reservation, with bytes: [UInt8]) throws(ProviderArchiveError) {
        precondition(bytes.count == reservation.count && segments.count == 3, "a patch has the reserved length")
        try file.write(Self.storedBlocks(bytes), at: reservation.offset)
        segments[1].crc = Self.crc(bytes)
    }

    /// Compresses what is left as the final block, waits for every chunk, and writes the trailer.
    func finish() throws(ProviderArchiveError) {
        precondition(reserved == nil && !finished)
        try submit(isFinal: true)
        while !inFlight.isEmpty { try retireOldest() }
        finished = true
        queue.close()
        let (crc, length) = segments.reduce((UInt32(0), Int64(0))) {
            (CRC32.combine($0.0, $1.crc, secondLength: $1.length), $0.1 + $1.length)
        }
        try file.append(GzipTrailer(crc: crc, length: length).bytes)
        // The index, when there was room for every piece; otherwise it stays empty (count 0) and readers
        // take the streaming path.
        if let indexRoom, pieces.count <= indexRoom.pieces {
            try file.write(GzipIndex.data(pieces: pieces), at: indexRoom.offset)
        }
    }

    // MARK: Chunks

    /// Hands `current` to the workers and takes a free chunk, writing finished ones to make room.
    private func submit(isFinal: Bool) throws(ProviderArchiveError) {
        current.isFinal = isFinal
        inFlight.append(current)
        queue.push(current)
        while let oldest = inFlight.first, queue.isDone(oldest) { try retireOldest() }
        if isFinal { return }
        if free.isEmpty { try retireOldest() }
        current = free.removeLast()
    }

    /// Waits for the oldest chunk, writes it, and puts it back in the free list.
    private func retireOldest() throws(ProviderArchiveError) {
        let chunk = inFlight.removeFirst()
        queue.waitUntilDone(chunk)
        if let failure = chunk.failure {
            throw .cannotWrite(path: file.destination.path, reason: "compressing: \(failure)")
        }
        try file.append(UnsafeRawBufferPointer(rebasing: chunk.output[0..<chunk.outputCount]))
        pieces.append(GzipIndex.Piece(compressed: Int64(chunk.outputCount), uncompressed: Int64(chunk.count)))
        var last = segments.removeLast()
        last.crc = CRC32.combine(last.crc, chunk.crc, secondLength: Int64(chunk.count))
        last.length += Int64(chunk.count)
        segments.append(last)
        chunk.reset()
        free.append(chunk)
    }

    // MARK: Stored blocks

    private static func crc(_ bytes: [UInt8]) -> UInt32 {
        var crc = CRC32()
        bytes.withUnsafeBytes { crc.update($0) }
        return crc.value
    }

    /// `bytes` as non-final stored blocks of at most 65,535 bytes, starting and ending on a byte boundary.
    static func storedBlocks(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + 5 * (bytes.count / 65_535 + 1))
        var offset = 0
        while offset < bytes.count {
            let length = min(65_535, bytes.count - offset)
            let low = UInt8(length & 0xFF)
            let high = UInt8(length >> 8)
            output += [0x00, low, high, ~low, ~high]  // BFINAL 0, BTYPE 00, padding to the byte; LEN; NLEN
            output += bytes[offset..<(offset + length)]
            offset += length
        }
        return output
    }
}

/// Rewrites the complete raw deflate stream in `buffer[0..<count]` so that more deflate blocks may follow
/// it, as zlib's `examples/gzjoin.c` does: the last block's BFINAL bit is cleared, and empty blocks pad the
/// end to a byte boundary (an empty stored block when an odd number of bits is left in the last byte, one
/// to three empty fixed-Huffman blocks of 10 bits each when an even number is).
///
/// Finding the last block's header and the exact end takes walking the blocks (`DeflateBlockWalker`).
/// - Returns: the new length, at most `count + 5`; `buffer` must have room for it.
/// - Throws: when `buffer` does not hold one complete deflate stream.
func makeJoinable(_ buffer: UnsafeMutableRawBufferPointer, count: Int, walker: DeflateBlockWalker) throws(InflateError) -> Int {
    precondition(count > 0 && buffer.count >= count + 5)
    let (lastHeader, end) = try walker.walk(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
    // What libdeflate writes: the stream ends in its last byte, zero-padded, and the last block's header
    // has BFINAL set. A walk that went astray would hardly land on all three.
    guard (end + 7) / 8 == count, buffer[count - 1] >> (end & 7) == 0 || end & 7 == 0,
        buffer[lastHeader >> 3] >> (lastHeader & 7) & 1 == 1
    else {
        throw InflateError(message: "unexpected end of the deflate stream (last block at bit \(lastHeader), end at bit \(end) of \(count * 8))")
    }
    buffer[lastHeader >> 3] &= ~(1 << UInt8(lastHeader & 7))
    let unused = (8 - (end & 7)) & 7  // padding bits at the top of the last byte
    buffer[count - 1] &= UInt8((0x100 >> unused) - 1)
    var length = count
    func append(_ bytes: [UInt8]) {
        for byte in bytes {
            buffer[length] = byte
            length += 1
        }
    }
    switch unused {
    case 0: break
    // An odd number: the padding holds (or, for one bit, starts) an empty stored block's header, BFINAL 0
    // and BTYPE 00; then LEN 0 and NLEN 0xFFFF.
    case 1: append([0x00, 0x00, 0x00, 0xFF, 0xFF])
    case 3, 5, 7: append([0x00, 0x00, 0xFF, 0xFF])
    // An even number: empty fixed-Huffman blocks (BFINAL 0, BTYPE 01, end-of-block 0000000; 10 bits each).
    case 2:
        buffer[count - 1] |= 0x80
        append([0x00])
    case 4:
        buffer[count - 1] |= 0x20
        append([0x80, 0x00])
    default:
        buffer[count - 1] |= 0x08
        append([0x20, 0x80, 0x00])
    }
    return length
}

/// One chunk of the stream on its way through a worker.
///
/// Shared across threads, safely because ownership is handed over, never held at once: the writing thread
/// fills `input` and pushes the chunk to a `ChunkQueue`; from then on only a worker touches it, until the
/// worker marks it done; then only the writing thread again. The queue's lock orders each hand-off.
final class DeflateChunk: @unchecked Sendable {
    private let input: UnsafeMutableRawBufferPointer
    /// Bytes of `input` filled.
    private(set) var count = 0
    /// The compressed chunk: a deflate stream that further blocks may follow, or the final one.
    let output: UnsafeMutableRawBufferPointer
    private(set) var outputCount = 0
    /// CRC-32 of the `count` input bytes.
    private(set) var crc: UInt32 = 0
    /// Whether this is the stream's last chunk (its final block keeps BFINAL).
    var isFinal = false
    /// What went wrong while compressing, if anything.
    private(set) var failure: String?
    /// Guarded by the owning `ChunkQueue`'s lock.
    fileprivate var done = false

    init(capacity: Int) {
        input = .allocate(byteCount: capacity, alignment: 64)
        output = .allocate(byteCount: RawDeflater.bound(capacity) + 8, alignment: 64)
    }

    deinit {
        input.deallocate()
        output.deallocate()
    }

    var isFull: Bool { count == input.count }

    /// Copies as much of `bytes` as fits; returns how much that was.
    func append(_ bytes: UnsafeRawBufferPointer) -> Int {
        let taken = min(bytes.count, input.count - count)
        if taken > 0 { (input.baseAddress! + count).copyMemory(from: bytes.baseAddress!, byteCount: taken) }
        count += taken
        return taken
    }

    /// Empties the chunk for reuse.
    func reset() {
        (count, outputCount, crc, isFinal, failure, done) = (0, 0, 0, false, nil, false)
    }

    /// Checksums and compresses the input and, unless final, makes the output joinable. Runs on a worker.
    fileprivate func compress(with deflater: RawDeflater, walker: DeflateBlockWalker) {
        let data = UnsafeRawBufferPointer(rebasing: input[0..<count])
        var checksum = CRC32()
        checksum.update(data)
        crc = checksum.value
        outputCount = deflater.compress(data, into: output)
        guard !isFinal else { return }
        do throws(InflateError) {
            outputCount = try makeJoinable(output, count: outputCount, walker: walker)
        } catch {
            failure = error.message
        }
    }
}

/// The hand-off between the writing thread and the compressing threads: chunks to compress, first in,
/// first out, and which are done. One lock and condition guard it all; a few dozen hand-offs per second
/// do not need more.
final class ChunkQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var pending: [DeflateChunk] = []
    private var closed = false

    /// Starts a thread that compresses chunks at `level` until the queue is closed.
    func startWorker(level: Int) {
        let thread = Thread { [self] in
            let deflater = RawDeflater(level: level)
            let walker = DeflateBlockWalker()
            while let chunk = next() {
                chunk.compress(with: deflater, walker: walker)
                condition.lock()
                chunk.done = true
                condition.broadcast()
                condition.unlock()
            }
        }
        thread.name = "swash deflate"
        thread.start()
    }

    /// Queues a filled chunk.
    func push(_ chunk: DeflateChunk) {
        condition.lock()
        pending.append(chunk)
        condition.broadcast()
        condition.unlock()
    }

    /// Whether a worker has finished `chunk`.
    func isDone(_ chunk: DeflateChunk) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        return chunk.done
    }

    /// Blocks until a worker has finished `chunk`.
    func waitUntilDone(_ chunk: DeflateChunk) {
        condition.lock()
        while !chunk.done { condition.wait() }
        condition.unlock()
    }

    /// Drops queued chunks and lets the workers end once they finish the one they hold.
    func close() {
        condition.lock()
        closed = true
        pending.removeAll()
        condition.broadcast()
        condition.unlock()
    }

    /// The next chunk to compress, or `nil` once closed.
    private func next() -> DeflateChunk? {
        condition.lock()
        defer { condition.unlock() }
        while pending.isEmpty && !closed { condition.wait() }
        return closed ? nil : pending.removeFirst()
    }
}
