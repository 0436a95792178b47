import Glibc

extension String {
    /// `printf`-style formatting (`%.1f`, `%g`, …) by the C library, as
    /// Foundation's `String(format:)` does for numbers, without Foundation
    /// (which links ICU's 34 MB of data into thief). Swift never calls
    /// setlocale, so the C library formats in the "C" locale: a '.' always.
    public init(cFormat format: String, _ arguments: CVarArg...) {
        var out = Self.vsnprintf(format, arguments, size: 64)
        if out.length >= 64 { out = Self.vsnprintf(format, arguments, size: out.length + 1) }
        self = String(decoding: out.bytes.prefix(Swift.max(0, out.length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func vsnprintf(_ format: String, _ arguments: [CVarArg], size: Int) -> (length: Int, bytes: [CChar])
    {
        var buffer = [CChar](repeating: 0, count: size)
        let n = withVaList(arguments) { Glibc.vsnprintf(&buffer, size, format, $0) }
        return (Int(n), buffer)
    }
}
