/// A rule reads a number the report does not have: an optional stats field
/// (`p90_ns`, `pct`, `min_ns`, `avg_ns`) or an off-core state's block. Never read as 0.
public struct MetricUnavailable: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is missing, e.g. "p90 for on_core" or "off_core.by_state.preempted".
    public var what: String
    /// Which report: "report", "report 2 of 3", "baseline report".
    public var report = "report"

    public init(_ what: String, report: String = "report") {
        self.what = what
        self.report = report
    }

    public var description: String { "\(report) has no \(what)" }
}
