/// Text that came from outside swash — a registry's error body or realm, a name or vendor read from an
/// archive or a manifest — made safe to print on a terminal.
///
/// Control characters (C0, DEL, C1 — among them ESC, which starts the sequences that retitle or clear a
/// terminal, and line breaks, which could fake a line of swash's own output) are shown as `\u{1B}`, and
/// a long text is cut with a note of how much was cut.
public enum UntrustedText {
    /// The length past which text is cut, unless the caller says otherwise.
    public static let defaultLimit = 512

    /// `text` with every control character escaped and at most `limit` characters kept.
    /// - Parameters:
    ///   - text: the untrusted text.
    ///   - limit: how many characters of `text` to keep.
    /// - Returns: printable text; `… (N more characters)` ends a cut one.
    public static func escape(_ text: some StringProtocol, limit: Int = defaultLimit) -> String {
        var result = ""
        var kept = 0
        var total = 0
        for scalar in text.unicodeScalars {
            total += 1
            guard kept < limit else { continue }
            kept += 1
            if isControl(scalar) {
                result += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        if total > kept { result += "… (\(total - kept) more characters)" }
        return result
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
            || scalar.value == 0x2028 || scalar.value == 0x2029  // line and paragraph separators
    }
}
