import Testing
import TOMLLite

@Suite("Integers and floats")
struct NumberTests {
    @Test(arguments: [
        ("+99", 99), ("42", 42), ("0", 0), ("-17", -17), ("+0", 0), ("-0", 0),
        ("1_000", 1000), ("5_349_221", 5_349_221), ("1_2_3_4_5", 12345),
        ("0xDEADBEEF", 0xDEAD_BEEF), ("0xdead_beef", 0xDEAD_BEEF), ("0x00ff", 255),
        ("0o01234567", 0o1234567), ("0o755", 0o755), ("0b11010110", 0b1101_0110), ("0b1_0", 2),
        ("9223372036854775807", Int64.max), ("-9223372036854775808", Int64.min),
        ("0x7FFFFFFFFFFFFFFF", Int64.max),
    ] as [(String, Int64)])
    func integers(text: String, expected: Int64) throws {
        #expect(try parse("n = \(text)")["n"] == .integer(expected))
    }

    @Test(arguments: [
        ("+1.0", 1.0), ("3.1415", 3.1415), ("-0.01", -0.01), ("5e+22", 5e22), ("1e06", 1e6),
        ("-2E-2", -0.02), ("6.626e-34", 6.626e-34), ("224_617.445_991_228", 224_617.445_991_228),
        ("0.0", 0), ("0e0", 0), ("1.7976931348623157e308", .greatestFiniteMagnitude), ("5e-324", .leastNonzeroMagnitude),
    ] as [(String, Double)])
    func floats(text: String, expected: Double) throws {
        #expect(try parse("f = \(text)")["f"] == .float(expected))
    }

    @Test func specialFloats() throws {
        let doc = try parse("a = inf\nb = +inf\nc = -inf\nd = nan\ne = +nan\nf = -nan\ng = -0.0\nh = +0.0")
        #expect(doc["a"] == .float(.infinity))
        #expect(doc["b"] == .float(.infinity))
        #expect(doc["c"] == .float(-.infinity))
        for key in ["d", "e", "f"] { #expect(doc[key]?.floatValue?.isNaN == true) }
        let negativeZero = try #require(doc["g"]?.floatValue)
        #expect(negativeZero == 0 && negativeZero.sign == .minus)
        #expect(doc["h"]?.floatValue?.sign == .plus)
    }

    @Test(arguments: [
        ("9223372036854775808", "out of range for a 64-bit signed integer"),
        ("-9223372036854775809", "out of range for a 64-bit signed integer"),
        ("0x8000000000000000", "out of range for a 64-bit signed integer"),
        ("012", "leading zeros are not allowed"),
        ("-01", "leading zeros are not allowed"),
        ("00.5", "leading zeros are not allowed"),
        ("1__0", "an underscore must be between two digits"),
        ("_1", "invalid value"),
        ("1_", "an underscore must be between two digits"),
        ("0x_1", "expected hexadecimal digits after the prefix"),
        ("0xG", "expected hexadecimal digits after the prefix"),
        ("0o8", "expected octal digits after the prefix"),
        ("0b102", "'2' is not a binary digit"),
        ("+0x1", "cannot have a sign"),
        ("0X1", "invalid value"),
        ("1.", "a decimal point must be followed by digits"),
        ("1.e5", "a decimal point must be followed by digits"),
        (".5", "invalid value"),
        ("1e", "an exponent must have digits"),
        ("1e_5", "an exponent must have digits"),
        ("1.5_", "an underscore must be between two digits"),
        ("1e400", "out of range for a 64-bit float"),
        ("infinity", "invalid value"),
        ("NaN", "invalid value"),
        ("1.2.3", "invalid value"),
    ])
    func rejected(text: String, messageFragment: String) throws {
        let error = try #require(parseError("n = \(text)"))
        #expect(error.message.contains(messageFragment), "\(error.message)")
        #expect(error.line == 1)
    }

    @Test func booleans() throws {
        let doc = try parse("t = true\nf = false")
        #expect(doc["t"] == true)
        #expect(doc["f"] == false)
        expectRejected("b = True", withMessageContaining: "invalid value \"True\"")
        expectRejected("b = truee", withMessageContaining: "invalid value \"truee\"")
        expectRejected("b = fals", withMessageContaining: "invalid value \"fals\"")
    }
}
