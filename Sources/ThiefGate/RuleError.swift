/// A rule that cannot be read: where (1-based column, in characters), what, and a hint.
public struct RuleError: Error, Hashable, Sendable, CustomStringConvertible {
    public var text: String
    public var column: Int
    public var message: String
    public var hint: String?

    /// One line: control characters (from the echoed rule) are shown as '?'.
    public var description: String {
        let line = "invalid rule '\(text)' at column \(column): \(message)" + (hint.map { "; hint: \($0)" } ?? "")
        return String(
            line.map {
                $0.isNewline || $0.unicodeScalars.contains { $0.properties.generalCategory == .control } ? "?" : $0
            })
    }
}
