/// A field of a subject. Durations are ns, `pct` a 0...1 share of thread time.
public enum Field: String, CaseIterable, Sendable {
    case total, count, p50, p90, p99, max, min, avg, pct, stolen
    case atWakeup = "at_wakeup", whileQueued = "while_queued", whileRunning = "while_running"
    /// Fields of `cpu[N]`.
    case onCore = "on_core", runnableWait = "runnable_wait", contention

    public var kind: Quantity.Kind {
        switch self {
        case .total, .p50, .p90, .p99, .max, .min, .avg, .stolen, .onCore, .runnableWait, .contention: return .duration
        case .pct: return .share
        case .count, .atWakeup, .whileQueued, .whileRunning: return .count
        }
    }

    /// Fields that are sums of time, whose share of thread time a percentage compares.
    public var isTimeSum: Bool { [.total, .stolen, .onCore, .runnableWait, .contention].contains(self) }
}
