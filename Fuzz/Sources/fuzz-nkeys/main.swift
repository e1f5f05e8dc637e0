import FuzzSupport
import NKeys

/// Any bytes, read as text, must decode or throw — never crash — and whatever decodes must re-encode
/// to the same text (with surrounding ASCII whitespace removed).
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: bytes(data, size), as: UTF8.self)
    let trimmed = trimASCIIWhitespace(text)
    if let pair = try? KeyPair(seed: text) {
        precondition(pair.seed == trimmed, "seed round trip")
        precondition(pair.publicKey.verify(signature: pair.sign(Array(text.utf8)), for: Array(text.utf8)), "sign/verify")
    }
    if let key = try? PublicKey(text) {
        precondition(key.encoded == trimmed, "public key round trip")
        _ = key.verify(signature: [UInt8](repeating: 0, count: 64), for: [1, 2, 3])
    }
    return 0
}

func trimASCIIWhitespace(_ text: String) -> String {
    let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" || $0 == "\r\n" }
    var slice = Substring(text)
    while let first = slice.first, isSpace(first) { slice.removeFirst() }
    while let last = slice.last, isSpace(last) { slice.removeLast() }
    return String(slice)
}

runFuzzer(testOneInput)
