/// CRC-32 (IEEE 802.3, reflected, as gzip's trailer holds it), slicing-by-8.
///
/// libarchive does not check the gzip trailer, so swash does: the reader feeds every decompressed byte here.
struct CRC32 {
    private(set) var value: UInt32 = 0

    /// Eight 256-entry tables, one after the other: table `k` advances a byte through `k` more zero bytes.
    private static let tables: [UInt32] = {
        var tables = [UInt32](repeating: 0, count: 8 * 256)
        for byte in 0..<256 {
            var crc = UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
            tables[byte] = crc
        }
        for slice in 1..<8 {
            for byte in 0..<256 {
                let previous = tables[(slice - 1) * 256 + byte]
                tables[slice * 256 + byte] = (previous >> 8) ^ tables[Int(previous & 0xFF)]
            }
        }
        return tables
    }()

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        var crc = ~value
        Self.tables.withUnsafeBufferPointer { tables in
            let t = tables.baseAddress!
            var pointer = base
            let end = base + bytes.count
            while end - pointer >= 8 {
                let low = crc ^ UInt32(littleEndian: pointer.loadUnaligned(as: UInt32.self))
                let high = UInt32(littleEndian: pointer.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
                crc = t[7 * 256 + Int(low & 0xFF)] ^ t[6 * 256 + Int(low >> 8 & 0xFF)]
                    ^ t[5 * 256 + Int(low >> 16 & 0xFF)] ^ t[4 * 256 + Int(low >> 24)]
                    ^ t[3 * 256 + Int(high & 0xFF)] ^ t[2 * 256 + Int(high >> 8 & 0xFF)]
                    ^ t[256 + Int(high >> 16 & 0xFF)] ^ t[Int(high >> 24)]
                pointer += 8
            }
            while pointer < end {
                crc = (crc >> 8) ^ t[Int((crc ^ UInt32(pointer.load(as: UInt8.self))) & 0xFF)]
                pointer += 1
            }
        }
        value = ~crc
    }
}
