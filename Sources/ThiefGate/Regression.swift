/// `--max-regression 'METRIC=N%'`: fail when the metric grew by more than N% over
/// the baseline (for "lower is better" numbers). `METRIC=-N%` fails when it fell
/// by more than N% (for "higher is better" numbers, such as on_core.pct).
public struct Regression: Hashable, Sendable, CustomStringConvertible {
    public var metric: Metric
    /// The allowed change as a percentage (20 for `=20%` and for `=-20%`).
    public var allowedPercent: Double
    /// `=-N%`: the entry guards against a decrease instead of an increase.
    public var decrease: Bool

    public init(metric: Metric, allowedPercent: Double, decrease: Bool = false) {
        self.metric = metric
        self.allowedPercent = allowedPercent
        self.decrease = decrease
    }

    public var description: String { "\(metric)=\(decrease ? "-" : "")\(Quantity(allowedPercent, .percent))" }
}
