/// One rule's verdict.
public struct RuleCheck: Sendable, Equatable {
    public var rule: Rule
    /// The judged value: the median of the runs (for the lost-events check, the largest).
    public var observed: Double
    /// The value in each run, in run order.
    public var runs: [Double]
    /// The rule's condition holds: the gate fails.
    public var failed: Bool
    /// The lost-events check added by the gate itself, not written by the user.
    public var implicit = false
}
