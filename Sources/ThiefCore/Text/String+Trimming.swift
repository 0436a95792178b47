/// The characters `trimming(_:)` removes: Foundation's `CharacterSet`
/// `.whitespaces`, `.newlines` and `.whitespacesAndNewlines`, without
/// Foundation (whose CharacterSet links ICU's 34 MB of data into thief).
public enum TrimmedCharacters: Sendable {
    /// Unicode category Zs (space separators), tab, and U+200B (zero width
    /// space: Zs in Unicode 4.0, and still in Foundation's set).
    case whitespaces
    /// U+000A–U+000D, U+0085, U+2028, U+2029.
    case newlines
    case whitespacesAndNewlines

    func contains(_ c: Unicode.Scalar) -> Bool {
        switch self {
        case .whitespaces: Self.isWhitespace(c)
        case .newlines: Self.isNewline(c)
        case .whitespacesAndNewlines: Self.isWhitespace(c) || Self.isNewline(c)
        }
    }

    static func isWhitespace(_ c: Unicode.Scalar) -> Bool {
        c == "\t" || c == "\u{200B}" || c.properties.generalCategory == .spaceSeparator
    }

    static func isNewline(_ c: Unicode.Scalar) -> Bool {
        (0x0A...0x0D).contains(c.value) || c.value == 0x85 || c.value == 0x2028 || c.value == 0x2029
    }
}

extension StringProtocol {
    /// The text without the given characters at either end: what
    /// `trimmingCharacters(in:)` returns for the same set. It works on Unicode
    /// scalars, as Foundation does ("\r\n" is trimmed, though one Character).
    public func trimming(_ set: TrimmedCharacters) -> String {
        let scalars = Substring(self).unicodeScalars
        guard let first = scalars.firstIndex(where: { !set.contains($0) }),
            let last = scalars.lastIndex(where: { !set.contains($0) })
        else { return "" }
        return String(scalars[first...last])
    }
}
