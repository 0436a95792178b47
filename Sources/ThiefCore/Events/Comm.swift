import CThiefABI

/// A task name as the kernel keeps it: 16 bytes, NUL-terminated. Kept as
/// bytes on the hot path; a String is made only where a name is shown or
/// first stored (a table's first sight of a thief, a thread's birth).
public struct Comm: Sendable {
    public typealias Bytes = (
        CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar,
        CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar
    )
    public var bytes: Bytes

    public init(_ bytes: Bytes) { self.bytes = bytes }

    public init(_ string: String) {
        bytes = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &bytes) { raw in
            for (i, b) in string.utf8.prefix(raw.count - 1).enumerated() { raw[i] = b }
        }
    }

    public var string: String {
        withUnsafeBytes(of: bytes) { raw in String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self) }
    }
}
