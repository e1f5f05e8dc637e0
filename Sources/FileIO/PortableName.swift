/// The portable file-name characters (POSIX's portable filename set: ASCII letters, digits, `_`, `-`, `.`) that
/// names swash writes are held to — target names, `bin_name`.
public enum PortableName {
    /// The first character of `name` outside the portable set, described for a message (`whitespace`, `a control
    /// character`, or the character quoted), or `nil` when every character is portable.
    public static func firstUnportable(in name: some StringProtocol) -> String? {
        guard let bad = name.unicodeScalars.first(where: { !isPortable($0) }) else { return nil }
        if bad.properties.isWhitespace { return "whitespace" }
        if bad.value < 0x20 || bad.value == 0x7F { return "a control character" }
        return "\"\(bad)\""
    }

    private static func isPortable(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "_-.".unicodeScalars.contains(scalar))
    }
}
