import ThiefCore

/// What a metric path names in the report.
public enum Subject: Hashable, Sendable, CustomStringConvertible {
    case onCore, offCore, runnableWait
    case offCoreState(OffState)
    case migrations
    case irqs, softirqs, systemVectors
    case lostEvents, missedSwitchEvents
    /// The matching entries of `thieves`, summed (`max` is the largest); none = 0.
    case thief(ThiefSelector)
    /// The matching entries of `wakers`, summed (`max` and `p99` are the largest); none = 0.
    case waker(ThiefSelector)
    /// One CPU's entry of `cpus` (0 if the target never used it).
    case cpu(Int)
    /// One cause of the runnable wait (`runnable_wait.by_cause`).
    case runnableWaitCause(WaitCause)

    /// Top-level names, in the order the documentation lists them.
    public static let names = [
        "on_core", "off_core", "runnable_wait", "migrations", "irqs", "softirqs",
        "system_vectors", "lost_events", "missed_switch_events", "thief", "waker", "cpu",
    ]

    public var description: String {
        switch self {
        case .onCore: return "on_core"
        case .offCore: return "off_core"
        case .runnableWait: return "runnable_wait"
        case .offCoreState(let s): return "off_core.\(s.name)"
        case .migrations: return "migrations"
        case .irqs: return "irqs"
        case .softirqs: return "softirqs"
        case .systemVectors: return "system_vectors"
        case .lostEvents: return "lost_events"
        case .missedSwitchEvents: return "missed_switch_events"
        case .thief(let sel): return "thief[\(sel)]"
        case .waker(let sel): return "waker[\(sel)]"
        case .cpu(let n): return "cpu[\(n)]"
        case .runnableWaitCause(let c): return "runnable_wait.\(c.rawValue)"
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
        case .waker: return [.count, .total, .p99, .max, .pct]
        case .cpu: return [.onCore, .runnableWait, .stolen, .contention]
        case .runnableWaitCause: return [.total, .pct]
        }
    }

    public var defaultField: Field { fields.first ?? .count }

    /// The time sum a percentage of this subject compares.
    var timeField: Field { fields.contains(.total) ? .total : defaultField }
}
