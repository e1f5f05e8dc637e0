/// Finds where the blocks of a raw deflate stream (RFC 1951) begin and where the stream ends, to the bit,
/// without inflating it: every Huffman code is decoded, but no byte of output is produced or copied.
///
/// This is what joining independently compressed chunks needs (see `makeJoinable`), and it costs a
/// fraction of zlib's `inflate(…, Z_BLOCK)`, which would copy every match. One walker per thread.
final class DeflateBlockWalker {
    private let litlen = HuffmanDecoder(symbols: 288)
    private let distance = HuffmanDecoder(symbols: 32)
    private let codeLengths = HuffmanDecoder(symbols: 19)
    private let fixedLitlen = HuffmanDecoder(symbols: 288)
    private let fixedDistance = HuffmanDecoder(symbols: 32)
    /// Code lengths read from a dynamic block's header (literal/length codes, then distance codes).
    private var lengths = [UInt8](repeating: 0, count: 288 + 32)

    private static let lengthExtraBits: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    private static let distanceExtraBits: [UInt8] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
    private static let codeLengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    init() {
        // RFC 1951 §3.2.6: literal/lengths 0–143 take 8 bits, 144–255 9, 256–279 7, 280–287 8; distances 5.
        let fixed = (0..<288).map { UInt8($0 < 144 ? 8 : $0 < 256 ? 9 : $0 < 280 ? 7 : 8) }
        try! fixedLitlen.build(fixed[...])
        try! fixedDistance.build([UInt8](repeating: 5, count: 32)[...])
    }

    /// Walks the stream's blocks up to the end of the one with BFINAL set.
    /// - Returns: the bit offsets (from the first byte's least significant bit) of that last block's header
    ///   and of the first bit after its end-of-block code.
    /// - Throws: when the bytes are not a complete, valid deflate stream.
    func walk(_ stream: UnsafeRawBufferPointer) throws(InflateError) -> (lastHeader: Int, end: Int) {
        var bits = BitReader(stream)
        while true {
            let header = bits.position
            let final = bits.take(1)
            switch bits.take(2) {
            case 0:
                bits.alignToByte()
                let length = bits.take(16)
                guard length ^ bits.take(16) == 0xFFFF else { throw InflateError(message: "a stored block's length check fails") }
                bits.skipAligned(length * 8)
            case 1:
                try walkCodes(&bits, litlen: fixedLitlen, distance: fixedDistance)
            case 2:
                try readDynamicCodes(&bits)
                try walkCodes(&bits, litlen: litlen, distance: distance)
            default:
                throw InflateError(message: "invalid block type 3")
            }
            guard bits.position <= stream.count * 8 else { throw InflateError(message: "the deflate stream ends early") }
            if final == 1 { return (header, bits.position) }
        }
    }

    /// Reads a dynamic block's code length codes and builds its literal/length and distance decoders.
    private func readDynamicCodes(_ bits: inout BitReader) throws(InflateError) {
        let literalCount = bits.take(5) + 257
        let distanceCount = bits.take(5) + 1
        let codeLengthCount = bits.take(4) + 4
        var codeLengthLengths = [UInt8](repeating: 0, count: 19)
        for index in 0..<codeLengthCount { codeLengthLengths[Self.codeLengthOrder[index]] = UInt8(bits.take(3)) }
        try codeLengths.build(codeLengthLengths[...])
        let total = literalCount + distanceCount
        var index = 0
        while index < total {
            bits.refill()
            let symbol = try codeLengths.decode(&bits)
            var repeated: UInt8 = 0
            let count: Int
            switch symbol {
            case 0..<16:
                lengths[index] = UInt8(symbol)
                index += 1
                continue
            case 16:
                guard index > 0 else { throw InflateError(message: "a length repeat with nothing before it") }
                repeated = lengths[index - 1]
                count = 3 + bits.take(2)
            case 17: count = 3 + bits.take(3)
            default: count = 11 + bits.take(7)
            }
            guard index + count <= total else { throw InflateError(message: "code lengths overflow the block's codes") }
            for offset in index..<(index + count) { lengths[offset] = repeated }
            index += count
        }
        guard lengths[256] != 0 else { throw InflateError(message: "no end-of-block code") }
        try litlen.build(lengths[0..<literalCount])
        try distance.build(lengths[literalCount..<total])
    }

    /// Skips a block's symbols up to and including its end-of-block code.
    private func walkCodes(_ reader: inout BitReader, litlen: HuffmanDecoder, distance: HuffmanDecoder) throws(InflateError) {
        var bits = reader  // a local copy stays in registers
        defer { reader = bits }
        // Past the end the reader yields zeros, which could decode forever: stop a little after it.
        let limit = bits.count + 16
        while true {
            guard bits.next <= limit else { throw InflateError(message: "the deflate stream ends early") }
            // 56 bits cover the longest symbol: a 15-bit length code, 5 extra bits, a 15-bit distance code, 13 extra bits.
            bits.refill()
            let symbol = try litlen.decode(&bits)
            if symbol < 256 { continue }
            if symbol == 256 { return }
            let lengthIndex = symbol - 257
            guard lengthIndex < 29 else { throw InflateError(message: "invalid length symbol \(symbol)") }
            bits.consume(Int(Self.lengthExtraBits[lengthIndex]))
            let distanceSymbol = try distance.decode(&bits)
            guard distanceSymbol < 30 else { throw InflateError(message: "invalid distance symbol \(distanceSymbol)") }
            bits.consume(Int(Self.distanceExtraBits[distanceSymbol]))
        }
    }
}

/// Reads a deflate stream's bits, least significant first, through a 64-bit buffer; past the end it
/// reads zeros.
struct BitReader {
    private let base: UnsafeRawPointer
    /// The stream's length in bytes.
    let count: Int
    /// The next byte to load into `buffer`.
    private(set) var next = 0
    /// Bits loaded and not yet consumed, the next one lowest.
    private(set) var buffer: UInt64 = 0
    /// How many bits `buffer` holds.
    private var available = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        base = bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
        count = bytes.count
    }

    /// The next bit to consume, as an offset from the stream's start.
    var position: Int { next * 8 - available }

    /// Loads whole bytes until at least 56 bits are buffered.
    @inline(__always) mutating func refill() {
        if next + 8 <= count {
            buffer |= UInt64(littleEndian: base.loadUnaligned(fromByteOffset: next, as: UInt64.self)) &<< UInt64(available)
            let bytes = (63 &- available) &>> 3
            next &+= bytes
            available &+= bytes &* 8
        } else {
            while available <= 56 {
                let byte = next < count ? UInt64(base.load(fromByteOffset: next, as: UInt8.self)) : 0
                buffer |= byte << UInt64(available)
                next += 1
                available += 8
            }
        }
    }

    /// Drops `count` (at most the buffered) bits.
    @inline(__always) mutating func consume(_ count: Int) {
        buffer &>>= UInt64(count)
        available &-= count
    }

    /// Reads `count` (at most 32) bits as a number.
    mutating func take(_ count: Int) -> Int {
        if available < count { refill() }
        let value = Int(truncatingIfNeeded: buffer & ((1 << UInt64(count)) - 1))
        consume(count)
        return value
    }

    /// Drops the bits up to the next byte boundary.
    mutating func alignToByte() { consume(available & 7) }

    /// Skips `count` bits (on a byte boundary, any number).
    mutating func skipAligned(_ count: Int) {
        if count <= available {
            consume(count)
        } else {
            next += (count - available) >> 3
            buffer = 0
            available = 0
        }
    }
}

/// A canonical Huffman code (RFC 1951 §3.2.2) as a decoder: codes of up to `primaryBits` bits are found with one
/// table lookup; longer ones, which are rare, are decoded bit by bit from the counts per length (as zlib's
/// `puff.c` does).
final class HuffmanDecoder {
    private static let primaryBits = 10
    /// Indexed by the next `primaryBits` bits: `symbol << 4 | length`, or 0 for a longer code.
    private let primary: UnsafeMutablePointer<UInt16>
    /// How many codes have each length 0…15.
    private let counts: UnsafeMutablePointer<Int>
    /// The symbols in canonical order (by length, then value).
    private let symbols: UnsafeMutablePointer<UInt16>
    private let capacity: Int

    init(symbols capacity: Int) {
        self.capacity = capacity
        primary = .allocate(capacity: 1 << Self.primaryBits)
        counts = .allocate(capacity: 16)
        symbols = .allocate(capacity: capacity)
    }

    deinit {
        primary.deallocate()
        counts.deallocate()
        symbols.deallocate()
    }

    /// Builds the code from each symbol's code length (0: unused).
    /// - Throws: when the lengths over-subscribe the code space.
    func build(_ lengths: ArraySlice<UInt8>) throws(InflateError) {
        precondition(lengths.count <= capacity)
        counts.initialize(repeating: 0, count: 16)
        for length in lengths { counts[Int(length)] += 1 }
        counts[0] = 0
        var left = 1
        for length in 1...15 {
            left = (left << 1) - counts[length]
            guard left >= 0 else { throw InflateError(message: "an over-subscribed Huffman code") }
        }
        // Where each length's symbols start in canonical order, and each length's first code (RFC 1951 §3.2.2).
        var offsets = [Int](repeating: 0, count: 16)
        var nextCode = [Int](repeating: 0, count: 16)
        var code = 0
        for length in 1..<16 {
            if length > 1 { offsets[length] = offsets[length - 1] + counts[length - 1] }
            code = (code + counts[length - 1]) << 1
            nextCode[length] = code
        }
        primary.initialize(repeating: 0, count: 1 << Self.primaryBits)
        for (offset, length) in lengths.enumerated() where length != 0 {
            let symbol = offset
            let size = Int(length)
            symbols[offsets[size]] = UInt16(symbol)
            offsets[size] += 1
            let canonical = nextCode[size]
            nextCode[size] += 1
            guard size <= Self.primaryBits else { continue }
            var reversed = 0
            for bit in 0..<size { reversed |= (canonical >> bit & 1) << (size - 1 - bit) }
            let entry = UInt16(symbol << 4 | size)
            var index = reversed
            while index < 1 << Self.primaryBits {
                primary[index] = entry
                index += 1 << size
            }
        }
    }

    /// Decodes one symbol.
    /// - Throws: for a bit pattern that is no code.
    @inline(__always) func decode(_ bits: inout BitReader) throws(InflateError) -> Int {
        let entry = primary[Int(truncatingIfNeeded: bits.buffer & ((1 << UInt64(Self.primaryBits)) - 1))]
        if entry != 0 {
            bits.consume(Int(entry & 15))
            return Int(entry &>> 4)
        }
        return try decodeLong(&bits)
    }

    /// Decodes bit by bit: the codes of each length are consecutive numbers after those of shorter lengths.
    private func decodeLong(_ bits: inout BitReader) throws(InflateError) -> Int {
        var code = 0
        var first = 0
        var index = 0
        for length in 1...15 {
            code |= bits.take(1)
            let count = counts[length]
            if code - first < count { return Int(symbols[index + code - first]) }
            index += count
            first = (first + count) << 1
            code <<= 1
        }
        throw InflateError(message: "a bit pattern that is no Huffman code")
    }
}
