/// Arithmetic over report values, which come from files (a recording, a saved
/// JSON report) as often as from the kernel: sums stop at the largest value
/// and conversions from Double clamp, so no value can make thief trap
/// (docs/recordings.md). Wrapping (`&+`) would not trap either, but would
/// print a small number for a huge one.
extension UInt64 {
    /// self + other, at most UInt64.max.
    @inline(__always)
    public func plus(_ other: UInt64) -> UInt64 {
        let (sum, over) = addingReportingOverflow(other)
        return over ? .max : sum
    }

    /// self × other, at most UInt64.max.
    @inline(__always)
    public func times(_ other: UInt64) -> UInt64 {
        let (product, over) = multipliedReportingOverflow(by: other)
        return over ? .max : product
    }

    /// A Double clamped to 0...UInt64.max (NaN: 0).
    public init(clamping d: Double) {
        if d.isNaN || d <= 0 {
            self = 0
        } else if d >= 18_446_744_073_709_551_615.0 {
            self = .max
        } else {
            self = UInt64(d)
        }
    }
}

extension Int {
    /// A Double clamped to Int's range (NaN: 0).
    public init(clamping d: Double) {
        if d.isNaN {
            self = 0
        } else if d >= 9_223_372_036_854_775_807.0 {
            self = .max
        } else if d <= -9_223_372_036_854_775_808.0 {
            self = .min
        } else {
            self = Int(d)
        }
    }
}

extension Sequence {
    /// The sum of `value` over the elements, at most UInt64.max.
    @inline(__always)
    public func sum(_ value: (Element) -> UInt64) -> UInt64 {
        reduce(0) { $0.plus(value($1)) }
    }
}
