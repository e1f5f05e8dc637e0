import Foundation

/// Tar streams built byte by byte, independently of libarchive, to test readers against exactly
/// the bytes other tools write (and against bytes no honest tool writes).
public struct TarBuilder: Sendable {
    /// Header dialects.
    public enum Style: Sendable {
        /// What wash (Rust's `tar` crate, `Header::new_gnu`) writes: magic `ustar  \0`, mode/uid/gid
        /// NUL-filled, mtime `00000000000`, typeflag NUL for regular files, checksum as 7 octal digits + NUL.
        case washGNU
        /// POSIX ustar (`ustar\0` `00`), mode 0644, typeflag `0`, as GNU tar and Python write it.
        case ustar
    }

    /// The stream so far.
    public private(set) var bytes: [UInt8] = []

    public init() {}

    /// Appends an entry: header, data, padding to 512.
    /// - Parameters:
    ///   - name: the name (up to 100 bytes; longer names need `paxPath`).
    ///   - data: the entry's data.
    ///   - typeflag: `0` (NUL) or `"0"` for files, `"1"` hard link, `"2"` symlink, `"3"`/`"4"` devices,
    ///     `"5"` directory, `"6"` FIFO, `"x"` pax header.
    ///   - linkName: target of a link.
    ///   - sizeField: the 12 bytes of the size field, to forge sizes; default: the data's size in octal.
    public mutating func add(
        _ name: String, _ data: [UInt8] = [], style: Style = .washGNU, typeflag: UInt8? = nil,
        linkName: String = "", sizeField: [UInt8]? = nil
    ) {
        bytes += Self.header(
            name: Array(name.utf8), size: data.count, style: style, typeflag: typeflag, linkName: linkName,
            sizeField: sizeField)
        bytes += data
        bytes += [UInt8](repeating: 0, count: (512 - data.count % 512) % 512)
    }

    /// Appends an entry whose name is raw bytes (e.g. invalid UTF-8).
    public mutating func add(rawName: [UInt8], _ data: [UInt8]) {
        bytes += Self.header(name: rawName, size: data.count, style: .washGNU, typeflag: nil, linkName: "", sizeField: nil)
        bytes += data
        bytes += [UInt8](repeating: 0, count: (512 - data.count % 512) % 512)
    }

    /// Appends a pax extended header (`x`) carrying `records` for the next entry.
    public mutating func addPax(_ records: [(String, String)]) {
        var body: [UInt8] = []
        for (key, value) in records {
            let content = " \(key)=\(value)\n"
            var length = content.utf8.count + 1
            while String(length).count + content.utf8.count != length { length += 1 }
            body += Array("\(length)\(content)".utf8)
        }
        add("./PaxHeaders/entry", body, style: .ustar, typeflag: UInt8(ascii: "x"))
    }

    /// Appends raw bytes (e.g. a forged header).
    public mutating func append(_ raw: [UInt8]) { bytes += raw }

    /// Appends the end-of-archive marker: two zero blocks.
    public mutating func end() { bytes += [UInt8](repeating: 0, count: 1024) }

    /// A 512-byte header.
    public static func header(
        name: [UInt8], size: Int, style: Style, typeflag: UInt8?, linkName: String, sizeField: [UInt8]?
    ) -> [UInt8] {
        var header = [UInt8](repeating: 0, count: 512)
        func put(_ field: [UInt8], at offset: Int) {
            for (index, byte) in field.enumerated() { header[offset + index] = byte }
        }
        func octal(_ value: Int, digits: Int) -> [UInt8] {
            let text = String(value, radix: 8)
            return Array((String(repeating: "0", count: max(0, digits - text.count)) + text).utf8) + [0]
        }
        put(Array(name.prefix(100)), at: 0)
        switch style {
        case .washGNU:
            put(Array("ustar  ".utf8) + [0], at: 257)
            header[156] = typeflag ?? 0
        case .ustar:
            put(octal(0o644, digits: 7), at: 100)
            put(octal(0, digits: 7), at: 108)
            put(octal(0, digits: 7), at: 116)
            put(Array("ustar".utf8) + [0] + Array("00".utf8), at: 257)
            header[156] = typeflag ?? UInt8(ascii: "0")
        }
        put(sizeField ?? octal(size, digits: 11), at: 124)
        put(octal(0, digits: 11), at: 136)
        put(Array(linkName.utf8.prefix(100)), at: 157)
        put([UInt8](repeating: UInt8(ascii: " "), count: 8), at: 148)
        let checksum = header.reduce(0) { $0 + Int($1) }
        put(octal(checksum, digits: 7), at: 148)
        return header
    }
}

/// gzip streams built by hand: fixed-Huffman deflate (literals, and runs of zeros as length-258
/// distance-1 matches), a header like flate2's (mtime 0, XFL 2, OS 255) and a CRC-32/length trailer.
public struct GzipBuilder: Sendable {
    private var output: [UInt8] = [0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0x02, 0xFF]
    private var bitBuffer: UInt64 = 0
    private var bitCount = 0
    private var crc = CRC32Reference()
    private var length: UInt64 = 0
    private var lastByte: UInt8?

    /// Starts a gzip stream with one final fixed-Huffman block.
    public init() {
        writeBits(1, 1)  // BFINAL
        writeBits(1, 2)  // BTYPE = fixed Huffman
    }

    /// Compresses `bytes` as literals.
    public mutating func append(_ bytes: [UInt8]) {
        for byte in bytes {
            if byte < 144 {
                writeCode(0x30 + UInt32(byte), bits: 8)
            } else {
                writeCode(0x190 + UInt32(byte) - 144, bits: 9)
            }
        }
        crc.update(bytes)
        length += UInt64(bytes.count)
        if let last = bytes.last { lastByte = last }
    }

    /// Compresses `count` zero bytes, about 13 bits per 258 bytes.
    public mutating func appendZeros(_ count: Int) {
        guard count > 0 else { return }
        var remaining = count
        if lastByte != 0 {
            append([0])
            remaining -= 1
        }
        let zerosAfterLiteral = remaining
        // A match: length 258 (code 285, 8 bits), distance 1 (code 0, 5 bits).
        func match(_ builder: inout GzipBuilder) {
            builder.writeCode(0xC5, bits: 8)
            builder.writeCode(0, bits: 5)
        }
        while remaining >= 258, bitCount != 0 {
            match(&self)
            remaining -= 258
        }
        if remaining >= 258 * 8 {
            // Byte-aligned: eight matches are the same 13 bytes every time.
            var probe = GzipBuilder(empty: ())
            for _ in 0..<8 { match(&probe) }
            let groups = remaining / (258 * 8)
            let pattern = probe.output
            output.reserveCapacity(output.count + groups * pattern.count)
            for _ in 0..<groups { output += pattern }
            remaining -= groups * 258 * 8
        }
        while remaining >= 258 {
            match(&self)
            remaining -= 258
        }
        for _ in 0..<remaining { writeCode(0x30, bits: 8) }
        crc.updateZeros(zerosAfterLiteral)
        length += UInt64(zerosAfterLiteral)
        lastByte = 0
    }

    private init(empty: Void) { output = [] }

    /// Ends the block and appends the trailer.
    public mutating func finish() -> [UInt8] {
        writeCode(0, bits: 7)  // end of block
        if bitCount > 0 { writeBits(0, 8 - bitCount) }
        let crcValue = crc.value
        let size = UInt32(truncatingIfNeeded: length)
        output += [UInt8(crcValue & 0xFF), UInt8(crcValue >> 8 & 0xFF), UInt8(crcValue >> 16 & 0xFF), UInt8(crcValue >> 24)]
        output += [UInt8(size & 0xFF), UInt8(size >> 8 & 0xFF), UInt8(size >> 16 & 0xFF), UInt8(size >> 24)]
        return output
    }

    /// Writes a Huffman code, most significant bit first.
    private mutating func writeCode(_ code: UInt32, bits: Int) {
        var reversed: UInt32 = 0
        for index in 0..<bits where code & (1 << UInt32(index)) != 0 { reversed |= 1 << UInt32(bits - 1 - index) }
        writeBits(reversed, bits)
    }

    /// Writes a value least significant bit first.
    private mutating func writeBits(_ value: UInt32, _ count: Int) {
        bitBuffer |= UInt64(value) << UInt64(bitCount)
        bitCount += count
        while bitCount >= 8 {
            output.append(UInt8(bitBuffer & 0xFF))
            bitBuffer >>= 8
            bitCount -= 8
        }
    }

    /// A whole gzip file holding `bytes`.
    public static func compress(_ bytes: [UInt8]) -> [UInt8] {
        var builder = GzipBuilder()
        builder.append(bytes)
        return builder.finish()
    }
}

/// CRC-32 as gzip uses it, written plainly (table-driven), plus a fast way over runs of zeros.
public struct CRC32Reference: Sendable {
    private var register: UInt32 = 0xFFFF_FFFF
    public var value: UInt32 { ~register }

    public init() {}

    private static let table: [UInt32] = (0..<256).map { byte in
        var crc = UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        return crc
    }

    public mutating func update(_ bytes: [UInt8]) {
        for byte in bytes { register = (register >> 8) ^ Self.table[Int((register ^ UInt32(byte)) & 0xFF)] }
    }

    /// Advances over `count` zero bytes in O(log count): the register update for one zero byte is
    /// linear over GF(2), so it is a 32×32 bit matrix, squared for each power of two.
    public mutating func updateZeros(_ count: Int) {
        guard count > 0 else { return }
        func times(_ matrix: [UInt32], _ vector: UInt32) -> UInt32 {
            var result: UInt32 = 0
            for bit in 0..<32 where vector & (1 << UInt32(bit)) != 0 { result ^= matrix[bit] }
            return result
        }
        var step = (0..<32).map { bit -> UInt32 in
            let unit = UInt32(1) << UInt32(bit)
            return (unit >> 8) ^ Self.table[Int(unit & 0xFF)]
        }
        var remaining = count
        while remaining > 0 {
            if remaining & 1 == 1 { register = times(step, register) }
            step = step.map { times(step, $0) }
            remaining >>= 1
        }
    }
}
