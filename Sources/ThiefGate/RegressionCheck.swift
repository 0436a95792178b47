/// One metric against the baseline. It fails when it grew by more than the
/// allowed share (or, for a `-N%` entry, fell by more than it).
public struct RegressionCheck: Sendable, Equatable {
    public var regression: Regression
    public var baseline: Double
    public var now: Double

    public init(regression: Regression, baseline: Double, now: Double) {
        self.regression = regression
        self.baseline = baseline
        self.now = now
    }

    /// (now − baseline) / baseline: 0 when both are 0, +∞ when only the baseline is 0.
    public var change: Double {
        if baseline == 0 { return now == 0 ? 0 : .infinity }
        return (now - baseline) / baseline
    }

    /// Grew beyond baseline × (1 + allowed); growth from a zero baseline always fails.
    /// A decrease entry (`-N%`): fell below baseline × (1 − N/100); a zero baseline cannot fall.
    public var failed: Bool {
        let share = regression.allowedPercent / 100
        if regression.decrease {
            return baseline != 0 && Comparison.less.holds(now, baseline * (1 - share))
        }
        if baseline == 0 { return Comparison.greater.holds(now, 0) }
        return Comparison.greater.holds(now, baseline * (1 + share))
    }

    public var kind: Quantity.Kind { regression.metric.resolvedField.kind }
}
