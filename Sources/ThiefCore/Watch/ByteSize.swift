/// Parses memory sizes such as `64MiB`, `512M`, `1GiB`, `4096` (bytes);
/// K/M/G and KiB/MiB/GiB are both powers of 1024.
public enum ByteSize {
    public struct Invalid: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    public static func bytes(_ text: String) throws -> Int {
        let units: [(String, Int)] = [
            ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("K", 1 << 10), ("M", 1 << 20), ("G", 1 << 30),
            ("B", 1),
        ]
        var number = Substring(text), factor = 1
        for (suffix, f) in units where text.hasSuffix(suffix) {
            number = text.dropLast(suffix.count)
            factor = f
            break
        }
        guard !number.isEmpty, number.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(number), n > 0,
            n <= Int.max / factor
        else {
            throw Invalid(description: "invalid size '\(text)': use a number with a unit, e.g. 64MiB, 512M, 1G")
        }
        return n * factor
    }
}
