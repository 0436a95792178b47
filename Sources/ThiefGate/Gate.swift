import ThiefCore

/// The CI gate: `--fail-if` rules, `--max-regression` against a baseline, and
/// the lost-events check (an incomplete measurement fails unless allowed).
/// Several reports (`--repeat N`) are judged by the per-metric median.
public struct Gate: Sendable {
    public var rules: [Rule]
    public var regressions: [Regression]
    /// The baseline run(s); several are reduced to their median, like the runs.
    public var baseline: [Report]
    public var allowLost: Bool

    public init(rules: [Rule] = [], regressions: [Regression] = [], baseline: [Report] = [], allowLost: Bool = false) {
        self.rules = rules; self.regressions = regressions; self.baseline = baseline; self.allowLost = allowLost
    }

    /// The rule the gate adds unless `--allow-lost`: judged on the largest count of any run.
    public static let lostEventsRule = Rule(metric: Metric(.lostEvents), op: .greater, value: Quantity(0, .none))

    /// The verdicts. A rule or regression that reads a number a report lacks
    /// (`p90_ns`, an off-core state, …) throws: the gate cannot judge it.
    public func judge(_ reports: [Report]) throws(MetricUnavailable) -> GateResult {
        func read(_ list: [Report], _ name: String, _ value: (Report) throws(MetricUnavailable) -> Double) throws(MetricUnavailable) -> [Double] {
            var out: [Double] = []
            for (n, r) in list.enumerated() {
                do { out.append(try value(r)) } catch {
                    var e = error
                    e.report = list.count > 1 ? "\(name) \(n + 1) of \(list.count)" : name
                    throw e
                }
            }
            return out
        }
        var checks: [RuleCheck] = []
        for rule in rules {
            let runs = try read(reports, "report") { r throws(MetricUnavailable) in try rule.observed(in: r) }
            let observed = Median.of(runs)
            checks.append(RuleCheck(rule: rule, observed: observed, runs: runs, failed: rule.op.holds(observed, rule.limit)))
        }
        if !allowLost {
            let rule = Gate.lostEventsRule
            let runs = reports.map { Double($0.lostEvents) }
            let worst = runs.max() ?? 0
            checks.append(RuleCheck(rule: rule, observed: worst, runs: runs, failed: rule.op.holds(worst, rule.limit), implicit: true))
        }
        var compared: [RegressionCheck] = []
        for reg in regressions {
            let base = try read(baseline, "baseline report") { r throws(MetricUnavailable) in try reg.metric.value(in: r) }
            let now = try read(reports, "report") { r throws(MetricUnavailable) in try reg.metric.value(in: r) }
            compared.append(RegressionCheck(regression: reg, baseline: Median.of(base), now: Median.of(now)))
        }
        return GateResult(checks: checks, regressions: compared, runs: reports.count)
    }
}

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

/// One metric against the baseline. It fails when it grew by more than the
/// allowed share (or, for a `-N%` entry, fell by more than it).
public struct RegressionCheck: Sendable, Equatable {
    public var regression: Regression
    public var baseline: Double
    public var now: Double

    public init(regression: Regression, baseline: Double, now: Double) {
        self.regression = regression; self.baseline = baseline; self.now = now
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

public enum Median {
    /// The middle value; the mean of the two middle values for an even count; 0 for none.
    public static func of(_ values: [Double]) -> Double {
        let v = values.sorted()
        guard !v.isEmpty else { return 0 }
        let mid = v.count / 2
        return v.count % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2
    }
}
