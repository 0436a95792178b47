/// A gate rule, `METRIC OP VALUE`: the condition that FAILS the gate
/// (`--fail-if 'runnable_wait.p99 > 200us'`). Grammar and metric paths: docs/gate.md.
/// `description` prints the canonical text, which `RuleParser.rule(_:)` reads back.
public struct Rule: Hashable, Sendable, CustomStringConvertible {
    public var metric: Metric
    public var op: Comparison
    public var value: Quantity

    public init(metric: Metric, op: Comparison, value: Quantity) {
        self.metric = metric
        self.op = op
        self.value = value
    }

    public var description: String { "\(metric) \(op.rawValue) \(value)" }

    /// The field the rule reads: the explicit one, else `pct` for a
    /// percentage where the subject has a share, else the subject's default.
    public var field: Field {
        if let f = metric.field { return f }
        if value.unit == .percent, metric.subject.fields.contains(.pct) { return .pct }
        return metric.subject.defaultField
    }

    /// What is compared: a percentage always compares a share of thread time
    /// (`off_core.preempted.total > 2%` compares the share of that total).
    public var kind: Quantity.Kind { value.unit == .percent ? .share : field.kind }

    /// The limit in canonical units (ns, a 0...1 share, or a count).
    public var limit: Double { value.canonical }
}
