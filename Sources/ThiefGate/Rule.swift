/// A gate rule, `METRIC OP VALUE`: the condition that FAILS the gate
/// (`--fail-if 'runnable_wait.p99 > 200us'`). Grammar and metric paths: docs/gate.md.
/// `description` prints the canonical text, which `RuleParser.rule(_:)` reads back.
public struct Rule: Hashable, Sendable, CustomStringConvertible {
    public var metric: Metric
    public var op: Comparison
    public var value: Quantity

    public init(metric: Metric, op: Comparison, value: Quantity) {
        self.metric = metric; self.op = op; self.value = value
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

/// The comparison of a rule. The rule fails when `observed OP limit` holds.
public enum Comparison: String, CaseIterable, Sendable {
    case greater = ">", greaterOrEqual = ">=", less = "<", lessOrEqual = "<="

    /// `observed OP limit`, with values within a relative 1e-12 taken as equal,
    /// so that a limit written as `0.1ms` or `5%` meets the same measured value.
    public func holds(_ observed: Double, _ limit: Double) -> Bool {
        let equal = observed == limit || abs(observed - limit) <= 1e-12 * max(abs(observed), abs(limit))
        switch self {
        case .greater: return observed > limit && !equal
        case .greaterOrEqual: return observed > limit || equal
        case .less: return observed < limit && !equal
        case .lessOrEqual: return observed < limit || equal
        }
    }
}

/// A number with its unit, as written in the rule.
public struct Quantity: Hashable, Sendable, CustomStringConvertible {
    public enum Unit: String, CaseIterable, Sendable {
        case ns, us, ms, s
        case percent = "%"
        case none = ""

        /// Canonical value of 1 of this unit (ns for times, a 0...1 share for %).
        var factor: Double {
            switch self {
            case .ns, .none: return 1
            case .us: return 1e3
            case .ms: return 1e6
            case .s: return 1e9
            case .percent: return 0.01
            }
        }

        var kind: Kind {
            switch self {
            case .ns, .us, .ms, .s: return .duration
            case .percent: return .share
            case .none: return .count
            }
        }
    }

    /// What a number measures: nanoseconds, a share of thread time (0...1), or a count.
    public enum Kind: String, Sendable { case duration, share, count }

    public var number: Double
    public var unit: Unit

    public init(_ number: Double, _ unit: Unit) { self.number = number; self.unit = unit }

    /// ns for times, 0...1 for %, the number itself otherwise. Percent is
    /// divided (not multiplied by 0.01) so `5%` is exactly the double 0.05.
    public var canonical: Double { unit == .percent ? number / 100 : number * unit.factor }

    /// Integral values print without a fraction; others in Swift's shortest
    /// round-trip form (which the parser reads back exactly, exponent included).
    public var description: String {
        let text = number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : "\(number)"
        return text + unit.rawValue
    }
}

/// A metric path into the JSON report: a subject and an optional field.
public struct Metric: Hashable, Sendable, CustomStringConvertible {
    public var subject: Subject
    public var field: Field?

    public init(_ subject: Subject, _ field: Field? = nil) { self.subject = subject; self.field = field }

    public var description: String { subject.description + (field.map { ".\($0.rawValue)" } ?? "") }

    /// The field read when none is given in a context without a value
    /// (`--max-regression 'off_core=10%'` reads off_core.total).
    public var resolvedField: Field { field ?? subject.defaultField }
}

/// What a metric path names in the report.
public enum Subject: Hashable, Sendable, CustomStringConvertible {
    case onCore, offCore, runnableWait
    case offCoreState(OffCoreState)
    case migrations
    case irqs, softirqs, systemVectors
    case lostEvents, missedSwitchEvents
    /// The matching entries of `thieves`, summed (`max` is the largest); none = 0.
    case thief(ThiefSelector)

    public enum OffCoreState: String, CaseIterable, Sendable { case preempted, sleeping, blocked, other }

    /// Top-level names, in the order the documentation lists them.
    public static let names = ["on_core", "off_core", "runnable_wait", "migrations", "irqs", "softirqs",
                               "system_vectors", "lost_events", "missed_switch_events", "thief"]

    public var description: String {
        switch self {
        case .onCore: return "on_core"
        case .offCore: return "off_core"
        case .runnableWait: return "runnable_wait"
        case .offCoreState(let s): return "off_core.\(s.rawValue)"
        case .migrations: return "migrations"
        case .irqs: return "irqs"
        case .softirqs: return "softirqs"
        case .systemVectors: return "system_vectors"
        case .lostEvents: return "lost_events"
        case .missedSwitchEvents: return "missed_switch_events"
        case .thief(let sel): return "thief[\(sel)]"
        }
    }

    /// The fields this subject has; the first is the default.
    public var fields: [Field] {
        switch self {
        case .onCore, .offCore, .runnableWait, .offCoreState:
            return [.total, .count, .p50, .p90, .p99, .max, .min, .avg, .pct]
        case .migrations: return [.count, .atWakeup, .whileQueued, .whileRunning]
        case .irqs, .softirqs, .systemVectors: return [.total, .count, .max, .pct]
        case .lostEvents, .missedSwitchEvents: return []
        case .thief: return [.stolen, .count, .max, .pct]
        }
    }

    public var defaultField: Field { fields.first ?? .count }
}

/// A field of a subject. Durations are ns, `pct` a 0...1 share of thread time.
public enum Field: String, CaseIterable, Sendable {
    case total, count, p50, p90, p99, max, min, avg, pct, stolen
    case atWakeup = "at_wakeup", whileQueued = "while_queued", whileRunning = "while_running"

    public var kind: Quantity.Kind {
        switch self {
        case .total, .p50, .p90, .p99, .max, .min, .avg, .stolen: return .duration
        case .pct: return .share
        case .count, .atWakeup, .whileQueued, .whileRunning: return .count
        }
    }

    /// Fields that are sums of time, whose share of thread time a percentage compares.
    public var isTimeSum: Bool { self == .total || self == .stolen }
}

/// Which thieves a `thief[…]` path sums: by comm (a glob with * and ?), tgid or pid.
public enum ThiefSelector: Hashable, Sendable, CustomStringConvertible {
    case comm(String), tgid(UInt32), pid(UInt32)

    public var description: String {
        switch self {
        case .comm(let g): return "comm=\(g)"
        case .tgid(let n): return "tgid=\(n)"
        case .pid(let n): return "pid=\(n)"
        }
    }
}

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
        self.metric = metric; self.allowedPercent = allowedPercent; self.decrease = decrease
    }

    public var description: String { "\(metric)=\(decrease ? "-" : "")\(Quantity(allowedPercent, .percent))" }
}
