import Foundation

/// The decompressed bytes of an archive whose gzip header holds swash's index (`GzipIndex`): its pieces are
/// inflated by libdeflate on worker threads (one per core, at most four), a few pieces ahead of the reader, and
/// handed out in order. The trailer's CRC-32 (the pieces' CRC-32s combined) and length are checked at the end,
/// and the file must end right after it.
///
/// The index is never trusted: a piece that does not inflate to exactly its stated length while consuming
/// exactly its stated bytes, lengths that do not add up to the file, or a trailer that does not match, stop this
/// reader with an error and set `failed`, and the caller reads the archive again on the streaming path
/// (`GzipInflater`), whose verdict stands (`ProviderArchive.init(verifying:growing:limits:)`).
final class IndexedGzipInflater: BlockSource {
    private let queue: PieceQueue
    private let file: FileSource
    private let end: Int64
    private var held: PieceQueue.Slot?
    private var crc: UInt32 = 0
    private var length: Int64 = 0
    private var finished = false
    /// Set when this reader stopped on an error: the archive must be read again without the index.
    private(set) var failed = false

    /// Every piece with its place in the file and its checksums, once the whole stream has been read and checked.
    var layout: [SplicePiece]? { finished ? queue.layout : nil }

    /// The indexed reader of `file`, or `nil` when its header holds no usable index (then read it streaming).
    static func open(_ file: FileSource) throws(ProviderArchiveError) -> IndexedGzipInflater? {
        let head = try file.bytes(at: 0, count: 12)
        guard let headerLength = GzipIndex.headerLength(head),
            let (_, pieces) = GzipIndex.parse(try file.bytes(at: 0, count: headerLength))
        else { return nil }
        var offsets: [Int64] = []
        var offset = Int64(headerLength)
        for piece in pieces {
            guard piece.compressed > 0, piece.uncompressed <= GzipIndex.maximumPieceLength,
                piece.compressed <= GzipIndex.maximumPieceLength
            else { return nil }
            offsets.append(offset)
            offset += piece.compressed
        }
        return IndexedGzipInflater(file: file, pieces: pieces, offsets: offsets, end: offset + 8)
    }

    private init(file: FileSource, pieces: [GzipIndex.Piece], offsets: [Int64], end: Int64) {
        self.file = file
        self.end = end
        queue = PieceQueue(file: file, pieces: pieces, offsets: offsets)
    }

    deinit { queue.cancel() }

    func nextBlock() throws(ProviderArchiveError) -> UnsafeRawBufferPointer {
        if let slot = held {
            queue.recycle(slot.output)
            held = nil
        }
        if finished { return UnsafeRawBufferPointer(start: nil, count: 0) }
        do throws(ProviderArchiveError) {
            guard let slot = try queue.next() else {
                try checkTrailer()
                finished = true
                return UnsafeRawBufferPointer(start: nil, count: 0)
            }
            crc = CRC32.combine(crc, slot.crc, secondLength: Int64(slot.count))
            length += Int64(slot.count)
            held = slot
            return UnsafeRawBufferPointer(rebasing: slot.output[0..<slot.count])
        } catch {
            failed = true
            throw error
        }
    }

    private func checkTrailer() throws(ProviderArchiveError) {
        let trailer = try file.bytes(at: end - 8, count: 8)
        guard trailer.count == 8, GzipTrailer(trailer).mismatch(GzipTrailer(crc: crc, length: length), length: length) == nil else {
            throw PieceQueue.lie(file, "the trailer does not match the pieces")
        }
        guard try file.finalLength() == end else { throw PieceQueue.lie(file, "the file does not end after the trailer") }
    }
}

/// One piece of an indexed archive, as a writer needs it to copy the piece into another archive: where its bytes
/// are, how long they are compressed and inflated, the CRC-32 of what they inflate to (combined into the new
/// trailer's) and of themselves (checked again when copied, so a file changed since it was verified is noticed).
struct SplicePiece: Sendable, Hashable {
    var offset: Int64
    var compressed: Int64
    var uncompressed: Int64
    var crc: UInt32
    var compressedCRC: UInt32
}

/// The pieces of an indexed archive, inflated by worker threads a few ahead of the reader and taken in order.
/// The workers hold this, not the reader, so dropping the reader cancels them. Memory is fixed up front: an
/// input buffer per worker and `workers + 3` output buffers, each as large as the largest piece the index names
/// (1 MiB for swash's archives; `GzipIndex.maximumPieceLength` at most), recycled — no allocation per piece.
private final class PieceQueue: @unchecked Sendable {
    struct Slot {
        var output: UnsafeMutableRawBufferPointer
        var count: Int
        var crc: UInt32
    }

    private let file: FileSource
    private let pieces: [GzipIndex.Piece]
    private let offsets: [Int64]
    private let condition = NSCondition()
    private var claimed = 0
    private var delivered = 0
    private var done: [Int: Slot] = [:]
    private var failure: ProviderArchiveError?
    private var cancelled = false
    private var running: Int
    private var outputCRCs: [UInt32]
    private var inputCRCs: [UInt32]
    private var free: [UnsafeMutableRawBufferPointer] = []
    private let buffers: [UnsafeMutableRawBufferPointer]
    private let largestInput: Int

    init(file: FileSource, pieces: [GzipIndex.Piece], offsets: [Int64]) {
        self.file = file
        self.pieces = pieces
        self.offsets = offsets
        let workers = max(1, min(4, ProcessInfo.processInfo.activeProcessorCount))
        running = workers
        outputCRCs = Array(repeating: 0, count: pieces.count)
        inputCRCs = Array(repeating: 0, count: pieces.count)
        let largestOutput = Int(pieces.map(\.uncompressed).max() ?? 0)
        largestInput = Int(pieces.map(\.compressed).max() ?? 0) + GzipIndex.finalEmptyBlock.count
        buffers = (0..<(workers + 3)).map { _ in .allocate(byteCount: max(1, largestOutput), alignment: 64) }
        free = buffers
        for _ in 0..<workers {
            let thread = Thread { [self] in
                work()
                condition.withLock {
                    running -= 1
                    condition.broadcast()
                }
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    deinit { for buffer in buffers { buffer.deallocate() } }

    /// Stops the workers (waiting until they have) before the buffers may go.
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        while running > 0 { condition.wait() }
        condition.unlock()
    }

    /// The pieces with their offsets and CRC-32s (of their inflated bytes, and of their compressed bytes).
    var layout: [SplicePiece] {
        condition.withLock {
            pieces.indices.map {
                SplicePiece(
                    offset: offsets[$0], compressed: pieces[$0].compressed, uncompressed: pieces[$0].uncompressed,
                    crc: outputCRCs[$0], compressedCRC: inputCRCs[$0])
            }
        }
    }

    /// Gives an output buffer back once the reader is done with its bytes.
    func recycle(_ buffer: UnsafeMutableRawBufferPointer) {
        condition.withLock {
            free.append(buffer)
            condition.broadcast()
        }
    }

    /// The next piece in order, once inflated; `nil` after the last.
    func next() throws(ProviderArchiveError) -> Slot? {
        condition.lock()
        defer { condition.unlock() }
        if delivered == pieces.count { return nil }
        while done[delivered] == nil, failure == nil { condition.wait() }
        if let failure { throw failure }
        let slot = done.removeValue(forKey: delivered)!
        delivered += 1
        condition.broadcast()
        return slot
    }

    private func work() {
        guard let inflater = PieceInflater() else {
            fail(.cannotRead(path: file.path, reason: "libdeflate could not allocate a decompressor"))
            return
        }
        let input = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, largestInput), alignment: 64)
        defer { input.deallocate() }
        while true {
            condition.lock()
            // The free output buffers bound how far ahead of the reader the workers run.
            while !cancelled, failure == nil, claimed < pieces.count, free.isEmpty {
                condition.wait()
            }
            if cancelled || failure != nil || claimed >= pieces.count {
                condition.unlock()
                return
            }
            let index = claimed
            claimed += 1
            let output = free.removeLast()
            condition.unlock()
            do throws(ProviderArchiveError) {
                let slot = try inflate(index, input: input, output: output, with: inflater)
                var compressedCRC = CRC32()
                compressedCRC.update(UnsafeRawBufferPointer(rebasing: input[0..<Int(pieces[index].compressed)]))
                condition.withLock {
                    outputCRCs[index] = slot.crc
                    inputCRCs[index] = compressedCRC.value
                    done[index] = slot
                    condition.broadcast()
                }
            } catch {
                recycle(output)
                fail(error)
                return
            }
        }
    }

    private func inflate(
        _ index: Int, input: UnsafeMutableRawBufferPointer, output: UnsafeMutableRawBufferPointer, with inflater: PieceInflater
    ) throws(ProviderArchiveError) -> Slot {
        let piece = pieces[index]
        let compressed = Int(piece.compressed)
        let got = try file.read(at: offsets[index], into: UnsafeMutableRawBufferPointer(rebasing: input[0..<compressed]))
        guard got == compressed else { throw Self.lie(file, "piece \(index) runs past the end of the file") }
        var length = compressed
        if index < pieces.count - 1 {
            for byte in GzipIndex.finalEmptyBlock {
                input[length] = byte
                length += 1
            }
        }
        let target = UnsafeMutableRawBufferPointer(rebasing: output[0..<Int(piece.uncompressed)])
        let result = inflater.inflate(UnsafeRawBufferPointer(rebasing: input[0..<length]), into: target)
        guard let result, result.consumed == length, result.produced == Int(piece.uncompressed) else {
            throw Self.lie(file, "piece \(index) does not inflate to the \(piece.uncompressed) bytes its \(piece.compressed) bytes are said to hold")
        }
        var crc = CRC32()
        crc.update(UnsafeRawBufferPointer(rebasing: output[0..<result.produced]))
        return Slot(output: output, count: result.produced, crc: crc.value)
    }

    private func fail(_ error: ProviderArchiveError) {
        condition.withLock {
            if failure == nil { failure = error }
            condition.broadcast()
        }
    }

    static func lie(_ file: FileSource, _ detail: String) -> ProviderArchiveError {
        .invalidArchive(archive: file.path, .corrupt(entry: nil, reason: "gzip index: \(detail)"))
    }
}
