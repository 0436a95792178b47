import ThiefCore

/// A cause of the runnable wait (`runnable_wait.by_cause`), as a gate path names it: `runnable_wait.throttled`.
public enum WaitCause: String, CaseIterable, Sendable {
    case tasks, targets, throttled, idle, steal, other

    /// The kernel could not measure this cause: a rule on it is unavailable, never a pass on 0.
    public func isUnavailable(in c: Report.ByCause) -> Bool {
        switch self {
        case .throttled: c.throttledUnavailable
        case .steal: c.stealUnavailable
        default: false
        }
    }

    /// Its ns in a report's split.
    public func ns(in c: Report.ByCause) -> UInt64 {
        switch self {
        case .tasks: c.tasksNs
        case .targets: c.targetsNs
        case .throttled: c.throttledNs
        case .idle: c.idleNs
        case .steal: c.stealNs
        case .other: c.otherNs
        }
    }
}
