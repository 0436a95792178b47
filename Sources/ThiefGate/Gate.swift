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
        self.rules = rules
        self.regressions = regressions
        self.baseline = baseline
        self.allowLost = allowLost
    }

    /// The rule the gate adds unless `--allow-lost`: judged on the largest count of any run.
    public static let lostEventsRule = Rule(metric: Metric(.lostEvents), op: .greater, value: Quantity(0, .none))

    /// The verdicts. A rule or regression that reads a number a report lacks
    /// (`p90_ns`, an off-core state, …) throws: the gate cannot judge it.
    public func judge(_ reports: [Report]) throws(MetricUnavailable) -> GateResult {
        func read(_ list: [Report], _ name: String, _ value: (Report) throws(MetricUnavailable) -> Double)
            throws(MetricUnavailable) -> [Double]
        {
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
            checks.append(
                RuleCheck(rule: rule, observed: observed, runs: runs, failed: rule.op.holds(observed, rule.limit)))
        }
        if !allowLost {
            let rule = Gate.lostEventsRule
            let runs = reports.map { Double($0.lostEvents) }
            let worst = runs.max() ?? 0
            checks.append(
                RuleCheck(
                    rule: rule, observed: worst, runs: runs, failed: rule.op.holds(worst, rule.limit), implicit: true))
        }
        var compared: [RegressionCheck] = []
        for reg in regressions {
            let base = try read(baseline, "baseline report") { r throws(MetricUnavailable) in
                try reg.metric.value(in: r)
            }
            let now = try read(reports, "report") { r throws(MetricUnavailable) in try reg.metric.value(in: r) }
            compared.append(RegressionCheck(regression: reg, baseline: Median.of(base), now: Median.of(now)))
        }
        return GateResult(checks: checks, regressions: compared, runs: reports.count)
    }
}
