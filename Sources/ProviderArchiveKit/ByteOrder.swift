/// Fixed-width integers in byte arrays, as the formats this module reads and writes store them (gzip and PE
/// little-endian, Mach-O universal headers big-endian, ELF either).
enum ByteOrder {
    /// The unsigned integer of `width` bytes at `offset`, little-endian.
    static func littleEndian(_ bytes: [UInt8], at offset: Int, width: Int) -> UInt32 {
        (0..<width).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << ($1 * 8) }
    }

    /// The unsigned integer of `width` bytes at `offset`, big-endian.
    static func bigEndian(_ bytes: [UInt8], at offset: Int, width: Int) -> UInt32 {
        (0..<width).reduce(UInt32(0)) { $0 << 8 | UInt32(bytes[offset + $1]) }
    }

    /// `value`'s low `width` bytes, little-endian.
    static func littleEndianBytes(_ value: UInt32, width: Int = 4) -> [UInt8] {
        (0..<width).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
    }
}

/// A gzip member's trailer: the CRC-32 of the data and its length mod 2^32, little-endian (RFC 1952 §2.3.1).
struct GzipTrailer: Equatable {
    var crc: UInt32
    var length: UInt32

    /// The trailer of data with this CRC-32 and length.
    init(crc: UInt32, length: Int64) {
        self.crc = crc
        self.length = UInt32(truncatingIfNeeded: length)
    }

    /// The trailer stored in `bytes` (8 bytes).
    init(_ bytes: [UInt8]) {
        crc = ByteOrder.littleEndian(bytes, at: 0, width: 4)
        length = ByteOrder.littleEndian(bytes, at: 4, width: 4)
    }

    /// Its 8 bytes.
    var bytes: [UInt8] { ByteOrder.littleEndianBytes(crc) + ByteOrder.littleEndianBytes(length) }

    /// Why data with `actual`'s CRC-32 and length (`length` in full, for the message) does not match this stored
    /// trailer, or `nil` when it does.
    func mismatch(_ actual: GzipTrailer, length: Int64) -> String? {
        if crc != actual.crc { return "the data's CRC-32 is \(hex32(actual.crc)) but the trailer says \(hex32(crc))" }
        if self.length != actual.length { return "the data is \(length) bytes but the trailer says \(self.length) (mod 2^32)" }
        return nil
    }
}
