import ThiefCore

/// Number formatting shared by the text renderer (and, `package`-visible, the
/// gate's verdict table and JUnit file in ThiefGate).
package enum Format {
    /// A duration with a unit chosen for its size: 812ns, 12.3us, 4.10ms, 1.234s.
    package static func duration(_ ns: UInt64) -> String {
        // The unit is chosen after rounding: 999_950 ns is "1.00ms", not "1000.0us".
        switch ns {
        case ..<1_000: return "\(ns)ns"
        case ..<999_950: return fixed(Double(ns) / 1e3, 1) + "us"
        case ..<999_995_000: return fixed(Double(ns) / 1e6, 2) + "ms"
        default: return fixed(Double(ns) / 1e9, 3) + "s"
        }
    }

    /// Microseconds with two decimals, for the tables in µs.
    static func micros(_ ns: UInt64) -> String { fixed(Double(ns) / 1e3, 2) }

    static func percent(_ share: Double) -> String { fixed(share * 100, 1) + "%" }

    /// Fixed-point without Foundation's locale-dependent formatting.
    package static func fixed(_ value: Double, _ decimals: Int) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (value * scale).rounded()
        let negative = scaled < 0
        // Beyond UInt64 (a crafted recording's durations) or NaN: clamp, never trap.
        let magnitude =
            scaled.isNaN ? 0 : abs(scaled) >= 18_446_744_073_709_551_615.0 ? UInt64.max : UInt64(abs(scaled))
        let whole = magnitude / UInt64(scale)
        let frac = magnitude % UInt64(scale)
        var s = "\(whole)"
        if decimals > 0 {
            let f = "\(frac)"
            s += "." + String(repeating: "0", count: decimals - f.count) + f
        }
        return negative ? "-" + s : s
    }

    package static func pad(_ s: String, _ width: Int, left: Bool = false) -> String {
        let n = s.count
        if n >= width { return s }
        let fill = String(repeating: " ", count: width - n)
        return left ? s + fill : fill + s
    }
}
