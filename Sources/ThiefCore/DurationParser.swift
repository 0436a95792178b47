/// Parses durations such as `500ms`, `30s`, `2m`, `1h`, `250us`, `10ns`
/// (a plain number is seconds). Returns nanoseconds, or throws a message.
public enum DurationParser {
    public struct Invalid: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    static let units: [(String, Double)] = [
        ("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9),
    ]

    public static func nanoseconds(_ text: String) throws -> UInt64 {
        let s = text.trimmingCharacters(in: " ")
        var number = Substring(s), factor = 1e9
        for (suffix, f) in units.sorted(by: { $0.0.count > $1.0.count }) where s.hasSuffix(suffix) {
            number = s.dropLast(suffix.count)
            factor = f
            break
        }
        guard !number.isEmpty, number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
            let value = Double(number), value.isFinite, value > 0
        else {
            throw Invalid(
                description: "invalid duration '\(text)': use a positive number with a unit, e.g. 500ms, 30s, 2m")
        }
        let ns = value * factor
        guard ns >= 1, ns < 1e18 else {
            throw Invalid(description: "duration '\(text)' is out of range")
        }
        return UInt64(ns.rounded())
    }
}

extension String {
    func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s = s.dropFirst() }
        while s.last == set { s = s.dropLast() }
        return String(s)
    }
}
