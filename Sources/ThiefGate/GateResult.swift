/// All verdicts of a gate.
public struct GateResult: Sendable, Equatable {
    public var checks: [RuleCheck]
    public var regressions: [RegressionCheck]
    /// How many reports were judged (their median).
    public var runs: Int

    public var total: Int { checks.count + regressions.count }
    public var failures: Int { checks.filter(\.failed).count + regressions.filter(\.failed).count }
    public var failed: Bool { failures > 0 }
}
