/// File names as the system has them: bytes, which need not be UTF-8.
///
/// Swift strings hold Unicode, and Foundation on Linux turns bytes that are not UTF-8 into U+FFFD, so a file
/// named `caf\xE9` could not be opened. swash decodes its arguments losslessly instead: every byte that is not
/// part of valid UTF-8 becomes one scalar of U+10FF00 + byte (Supplementary Private Use Area-B), and every system
/// call of FileIO and ProviderArchiveKit turns such a path back into its bytes (`withBytes`). The console prints
/// them back as the same bytes.
public enum SystemPath {
    /// The first scalar of the 256 that stand for raw bytes.
    static let base: UInt32 = 0x10FF00

    /// Decodes bytes (a C string from `argv`) without loss: valid UTF-8 as itself, any other byte as U+10FF00 + byte.
    /// - Parameter bytes: the bytes, without the terminating NUL.
    public static func decode(_ bytes: [UInt8]) -> String {
        var result = String.UnicodeScalarView()
        var index = 0
        while index < bytes.count {
            if let (scalar, length) = scalar(in: bytes, at: index) {
                result.append(scalar)
                index += length
            } else {
                result.append(Unicode.Scalar(base + UInt32(bytes[index]))!)
                index += 1
            }
        }
        return String(result)
    }

    /// The bytes `text` stands for: UTF-8, with each U+10FF00 + byte scalar turned back into its byte.
    public static func bytes(_ text: some StringProtocol) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            if scalar.value >= base, scalar.value <= base + 0xFF {
                bytes.append(UInt8(scalar.value - base))
            } else {
                bytes.append(contentsOf: String(scalar).utf8)
            }
        }
        return bytes
    }

    /// Whether `text` holds any scalar that stands for a raw byte.
    public static func hasRawBytes(_ text: some StringProtocol) -> Bool {
        text.unicodeScalars.contains { $0.value >= base && $0.value <= base + 0xFF }
    }

    /// Calls `body` with `path` as a NUL-terminated C string of its bytes.
    public static func withBytes<T>(_ path: String, _ body: (UnsafePointer<CChar>) throws -> T) rethrows -> T {
        guard hasRawBytes(path) else { return try path.withCString(body) }
        let raw = bytes(path).map { CChar(bitPattern: $0) } + [0]
        return try raw.withUnsafeBufferPointer { try body($0.baseAddress!) }
    }

    /// The scalar of valid UTF-8 at `index`, and its length; `nil` when the bytes there are not valid UTF-8.
    private static func scalar(in bytes: [UInt8], at index: Int) -> (Unicode.Scalar, Int)? {
        let first = bytes[index]
        let length: Int
        var value: UInt32
        switch first {
        case 0x00...0x7F: return (Unicode.Scalar(first), 1)
        case 0xC2...0xDF: length = 2; value = UInt32(first & 0x1F)
        case 0xE0...0xEF: length = 3; value = UInt32(first & 0x0F)
        case 0xF0...0xF4: length = 4; value = UInt32(first & 0x07)
        default: return nil
        }
        guard index + length <= bytes.count else { return nil }
        for offset in 1..<length {
            let byte = bytes[index + offset]
            guard byte & 0xC0 == 0x80 else { return nil }
            value = value << 6 | UInt32(byte & 0x3F)
        }
        // Overlong forms, surrogates and values past U+10FFFF are not valid UTF-8.
        let minimum: UInt32 = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000
        guard value >= minimum, let scalar = Unicode.Scalar(value) else { return nil }
        return (scalar, length)
    }
}
