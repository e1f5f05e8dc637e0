/// Unpadded RFC 4648 base32 (alphabet `A–Z2–7`), as nkeys use it.
enum Base32 {
    static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    /// Maps an ASCII byte to its 5-bit value, 0xFF when it is not in the alphabet.
    private static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(index) }
        return table
    }()

    static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity((bytes.count * 8 + 4) / 5)
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                bits -= 5
                out.append(alphabet[Int((buffer >> UInt32(bits)) & 31)])
            }
        }
        if bits > 0 { out.append(alphabet[Int((buffer << UInt32(5 - bits)) & 31)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// The 5-bit value of a character of the alphabet, 0xFF for any other.
    static func value(of scalar: Unicode.Scalar) -> UInt8 {
        scalar.value < 128 ? decodeTable[Int(scalar.value)] : 0xFF
    }

    /// Decodes unpadded base32.
    /// - Throws: `NKeysError.invalidCharacter` naming the first character outside the alphabet.
    static func decode(_ text: some StringProtocol) throws(NKeysError) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(text.utf8.count * 5 / 8)
        var buffer: UInt32 = 0
        var bits = 0
        for (offset, scalar) in text.unicodeScalars.enumerated() {
            let value = value(of: scalar)
            guard value != 0xFF else { throw .invalidCharacter(Character(scalar), position: offset + 1) }
            buffer = (buffer << 5) | UInt32(value)
            bits += 5
            if bits >= 8 {
                bits -= 8
                out.append(UInt8((buffer >> UInt32(bits)) & 0xFF))
            }
        }
        return out
    }
}

/// CRC-16/XMODEM: polynomial 0x1021, initial value 0, no reflection.
enum CRC16 {
    private static let table: [UInt16] = (0..<256).map { index in
        var crc = UInt16(index) << 8
        for _ in 0..<8 { crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1 }
        return crc
    }

    static func checksum(_ bytes: some Sequence<UInt8>) -> UInt16 {
        var crc: UInt16 = 0
        for byte in bytes { crc = (crc << 8) ^ table[Int((crc >> 8) ^ UInt16(byte))] }
        return crc
    }
}
