import Foundation

/// The decompressed bytes of a file that must hold exactly **one gzip member** (RFC 1952): the header is
/// parsed here, the deflate data is inflated by zlib, the trailer's CRC-32 and length are checked, and a
/// byte after the trailer (garbage, or a second member, which wash would never read) is an error.
///
/// Errors are reported in stream order: bytes inflated before a defect are delivered first.
final class GzipInflater: BlockSource {
    private enum Phase { case header, data, trailer, done }

    private let file: FileSource
    private let inflater = RawInflater()
    private let input: UnsafeMutableRawBufferPointer
    private var inputStart = 0
    private var inputEnd = 0
    /// Bytes asked of the next read(2): small at first, so reading only the first entry reads little.
    private var readSize = 16 << 10
    private var phase = Phase.header
    private var header = GzipHeader()
    private var trailer: [UInt8] = []
    private var crc = CRC32()
    private var length: UInt64 = 0
    private var pendingError: ProviderArchiveError?
    /// The buffer `nextBlock` fills (allocated on first use).
    private var blockBuffer: UnsafeMutableRawBufferPointer?

    /// - Parameter file: positioned at the gzip header.
    init(file: FileSource) {
        self.file = file
        input = .allocate(byteCount: 256 << 10, alignment: 64)
    }

    deinit {
        input.deallocate()
        blockBuffer?.deallocate()
    }

    /// Inflates the next bytes into a buffer of its own, returning as soon as there are some.
    func nextBlock() throws(ProviderArchiveError) -> UnsafeRawBufferPointer {
        let buffer = blockBuffer ?? .allocate(byteCount: 64 << 10, alignment: 64)
        blockBuffer = buffer
        return UnsafeRawBufferPointer(rebasing: buffer[0..<(try inflate(into: buffer, filling: false))])
    }

    /// Inflates into `buffer`.
    /// - Parameter filling: keep going until `buffer` is full or the member ends (else return as soon as
    ///   any byte is ready).
    /// - Returns: the bytes written; 0 once the member has ended and been checked.
    /// - Throws: `.invalidArchive` for a damaged or truncated stream, a trailer mismatch, or bytes after it.
    func inflate(into buffer: UnsafeMutableRawBufferPointer, filling: Bool) throws(ProviderArchiveError) -> Int {
        if let pendingError { throw pendingError }
        var produced = 0
        do throws(ProviderArchiveError) {
            while produced < buffer.count, phase != .done {
                if phase != .data, inputStart == inputEnd, try refill() == 0 { try endOfFile() }
                let available = UnsafeRawBufferPointer(rebasing: input[inputStart..<inputEnd])
                switch phase {
                case .header:
                    inputStart += try header.parse(available, file: file.path)
                    if header.isComplete { phase = .data }
                case .data:
                    let step: RawInflater.Step
                    do throws(InflateError) {
                        step = try inflater.inflate(available, into: UnsafeMutableRawBufferPointer(rebasing: buffer[produced...]))
                    } catch {
                        throw damaged(error.message)
                    }
                    crc.update(UnsafeRawBufferPointer(rebasing: buffer[produced..<(produced + step.produced)]))
                    length &+= UInt64(step.produced)
                    inputStart += step.consumed
                    produced += step.produced
                    if step.finished {
                        phase = .trailer
                    } else if step.consumed == 0 && step.produced == 0 {
                        // zlib wants more input (it may hold some back, so this is checked only now).
                        guard inputStart == inputEnd else { throw damaged("zlib made no progress") }
                        if try refill() == 0 { try endOfFile() }
                    }
                case .trailer:
                    let taken = min(8 - trailer.count, available.count)
                    trailer += available.prefix(taken)
                    inputStart += taken
                    if trailer.count == 8 {
                        try checkTrailer()
                        phase = .done
                        try checkNothingFollows()
                    }
                case .done:
                    break
                }
                if !filling && produced > 0 { break }
            }
        } catch {
            guard produced > 0 else { throw error }
            pendingError = error
        }
        return produced
    }

    /// Reads more of the file into `input`; returns how much.
    private func refill() throws(ProviderArchiveError) -> Int {
        let got = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: input[0..<min(readSize, input.count)]))
        readSize = min(readSize * 2, input.count)
        inputStart = 0
        inputEnd = got
        return got
    }

    /// The file ended before the member did.
    private func endOfFile() throws(ProviderArchiveError) -> Never {
        switch phase {
        case .header: throw damaged("the gzip header is incomplete")
        case .data: throw damaged("the file ends inside the compressed data")
        case .trailer:
            throw invalid(.gzipTrailerMismatch(
                trailer.isEmpty ? "the 8-byte trailer is missing" : "only \(trailer.count) of the trailer's 8 bytes are there"))
        case .done: preconditionFailure("nothing is read once the member is done")
        }
    }

    /// Checks the trailer: the data's CRC-32 and its length mod 2^32, little-endian.
    private func checkTrailer() throws(ProviderArchiveError) {
        let actual = GzipTrailer(crc: crc.value, length: Int64(truncatingIfNeeded: length))
        if let mismatch = GzipTrailer(trailer).mismatch(actual, length: Int64(truncatingIfNeeded: length)) {
            throw invalid(.gzipTrailerMismatch(mismatch))
        }
    }

    /// The member must be the last thing in the file.
    private func checkNothingFollows() throws(ProviderArchiveError) {
        if inputStart == inputEnd, try refill() == 0 { return }
        let next = Array(input[inputStart..<min(inputStart + 2, inputEnd)])
        throw invalid(.gzipTrailerMismatch(
            next == [0x1F, 0x8B]
                ? "a second gzip member follows the first (wash reads only the first)"
                : "there are bytes after the end of the gzip member"))
    }

    private func invalid(_ defect: ArchiveDefect) -> ProviderArchiveError { .invalidArchive(archive: file.path, defect) }

    private func damaged(_ detail: String) -> ProviderArchiveError {
        invalid(.corrupt(entry: nil, reason: "the gzip stream is damaged or truncated (\(detail))"))
    }
}

func hex32(_ value: UInt32) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
}

/// A gzip member header (RFC 1952 §2.3), parsed as its bytes arrive without keeping them: the fixed
/// 10 bytes, then the optional extra field, file name, comment and header CRC that its flags announce.
struct GzipHeader {
    private enum Part { case fixed, extraLength, extra, name, comment, headerCRC, complete }

    private var part = Part.fixed
    private var fixed: [UInt8] = []
    private var flags: UInt8 = 0
    /// Bytes still to skip in the current part (extra length, extra field, header CRC).
    private var remaining = 0
    private var extraLength: [UInt8] = []

    var isComplete: Bool { part == .complete }

    /// Consumes header bytes from the front of `bytes`; returns how many.
    /// - Throws: `.invalidArchive` when the header is not a deflate gzip header.
    mutating func parse(_ bytes: UnsafeRawBufferPointer, file: String) throws(ProviderArchiveError) -> Int {
        var index = 0
        while index < bytes.count, part != .complete {
            switch part {
            case .fixed:
                let taken = min(10 - fixed.count, bytes.count - index)
                fixed += bytes[index..<(index + taken)]
                index += taken
                guard fixed.count == 10 else { break }
                guard fixed[0] == 0x1F, fixed[1] == 0x8B, fixed[2] == 8, fixed[3] & 0xE0 == 0 else {
                    let reason = fixed[2] != 8 ? "compression method \(fixed[2]) is not deflate" : "reserved header flags are set"
                    throw .invalidArchive(archive: file, .corrupt(entry: nil, reason: "the gzip stream is damaged or truncated (\(reason))"))
                }
                flags = fixed[3]
                advance()
            case .extraLength:
                extraLength.append(bytes[index])
                index += 1
                if extraLength.count == 2 {
                    remaining = Int(ByteOrder.littleEndian(extraLength, at: 0, width: 2))
                    part = .extra
                    if remaining == 0 { advance() }
                }
            case .extra, .headerCRC:
                let taken = min(remaining, bytes.count - index)
                index += taken
                remaining -= taken
                if remaining == 0 { advance() }
            case .name, .comment:
                // Zero-terminated Latin-1 text; skipped.
                if let end = bytes[index...].firstIndex(of: 0) {
                    index = end + 1
                    advance()
                } else {
                    index = bytes.count
                }
            case .complete:
                break
            }
        }
        return index
    }

    /// Moves to the next part the flags announce (FEXTRA 4, FNAME 8, FCOMMENT 16, FHCRC 2, in this order).
    private mutating func advance() {
        let parts: [(Part, flag: UInt8)] = [(.extraLength, 4), (.name, 8), (.comment, 16), (.headerCRC, 2)]
        let done: [Part: Int] = [.fixed: 0, .extraLength: 1, .extra: 1, .name: 2, .comment: 3, .headerCRC: 4]
        part = parts[done[part]!...].first { flags & $0.flag != 0 }?.0 ?? .complete
        if part == .headerCRC { remaining = 2 }
    }
}

/// Runs a `GzipInflater` on a thread of its own, up to `buffers` buffers ahead of the reader, so
/// inflating (and the CRC-32) overlaps whatever the reader does with the bytes (parsing tar, hashing).
final class ReadAheadInflater: BlockSource {
    private let pipe: BlockPipe
    private var held: UnsafeMutableRawBufferPointer?

    init(_ inflater: GzipInflater, buffers: Int = 4, bufferSize: Int = 256 << 10) {
        let pipe = BlockPipe(buffers: buffers, size: bufferSize)
        self.pipe = pipe
        let handover = Handover(value: inflater)
        let thread = Thread {
            pipe.produce { (buffer) throws(ProviderArchiveError) in try handover.value.inflate(into: buffer, filling: true) }
        }
        thread.name = "swash inflate"
        thread.start()
    }

    deinit { pipe.cancel() }

    func nextBlock() throws(ProviderArchiveError) -> UnsafeRawBufferPointer {
        if let held { pipe.recycle(held) }
        held = nil
        guard let (buffer, count) = try pipe.next() else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        held = buffer
        return UnsafeRawBufferPointer(rebasing: buffer[0..<count])
    }
}

/// Moves a value that is not `Sendable` to another thread, which becomes its only user.
struct Handover<Value>: @unchecked Sendable {
    let value: Value
}

/// A bounded hand-off of filled buffers from one producing thread to one consuming thread.
///
/// The pipe owns the buffers. A buffer is either free (the producer may take it), filled (queued for the
/// consumer) or held by exactly one side; the lock orders every hand-off, so no buffer is touched by two
/// threads at once. Cancelling stops the producer at its next hand-off; the buffers are freed with the pipe.
final class BlockPipe: @unchecked Sendable {
    private let condition = NSCondition()
    private let buffers: [UnsafeMutableRawBufferPointer]
    private var free: [UnsafeMutableRawBufferPointer]
    private var filled: [(UnsafeMutableRawBufferPointer, Int)] = []
    private var ended = false
    private var failure: ProviderArchiveError?
    private var cancelled = false

    init(buffers count: Int, size: Int) {
        buffers = (0..<count).map { _ in .allocate(byteCount: size, alignment: 64) }
        free = buffers
    }

    deinit { for buffer in buffers { buffer.deallocate() } }

    /// The producer's loop: fills free buffers with `fill` until it returns 0 (the end) or throws, or
    /// until the pipe is cancelled.
    func produce(_ fill: (UnsafeMutableRawBufferPointer) throws(ProviderArchiveError) -> Int) {
        while let buffer = takeFree() {
            let count: Int
            do throws(ProviderArchiveError) {
                count = try fill(buffer)
            } catch {
                end(failure: error, returning: buffer)
                return
            }
            if count == 0 {
                end(failure: nil, returning: buffer)
                return
            }
            condition.lock()
            filled.append((buffer, count))
            condition.broadcast()
            condition.unlock()
        }
    }

    /// The next filled buffer and its byte count, or `nil` at the end; rethrows the producer's error
    /// once the buffers before it are consumed.
    func next() throws(ProviderArchiveError) -> (UnsafeMutableRawBufferPointer, Int)? {
        condition.lock()
        defer { condition.unlock() }
        while filled.isEmpty && !ended { condition.wait() }
        if !filled.isEmpty { return filled.removeFirst() }
        if let failure { throw failure }
        return nil
    }

    /// Gives a consumed buffer back to the producer.
    func recycle(_ buffer: UnsafeMutableRawBufferPointer) {
        condition.lock()
        free.append(buffer)
        condition.broadcast()
        condition.unlock()
    }

    /// Stops the producer at its next hand-off.
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }

    private func takeFree() -> UnsafeMutableRawBufferPointer? {
        condition.lock()
        defer { condition.unlock() }
        while free.isEmpty && !cancelled { condition.wait() }
        return cancelled ? nil : free.removeLast()
    }

    private func end(failure: ProviderArchiveError?, returning buffer: UnsafeMutableRawBufferPointer) {
        condition.lock()
        free.append(buffer)
        ended = true
        self.failure = failure
        condition.broadcast()
        condition.unlock()
    }
}
