/// A number the running kernel cannot give thief. It is `null` in JSON and
/// `n/a` in text and CSV, never a measured 0, and a gate rule that reads it
/// is unavailable. The report lists each once in `tracer.unavailable`.
public struct Unavailable: Codable, Sendable, Hashable {
    /// The report's key, e.g. "runnable_wait.by_cause.throttled_ns".
    public var what: String
    /// The kernel feature it needs, e.g. "cfs_rq::throttled_clock_self_time".
    public var needs: String
    /// The kernel (or build option) that brings it, e.g. "Linux 6.6".
    public var since: String

    public init(what: String, needs: String, since: String) {
        self.what = what
        self.needs = needs
        self.since = since
    }

    /// The wait's throttled cause: without the cfs_rq's own throttled clock
    /// a throttled stretch of a wait is counted as what the CPU did meanwhile
    /// (idle, other tasks, other targets), so the causes still sum to the wait.
    public static let throttled = Unavailable(
        what: "runnable_wait.by_cause.throttled_ns", needs: "cfs_rq::throttled_clock_self_time",
        since: "Linux 6.6 with CONFIG_CFS_BANDWIDTH")

    /// The wait's steal cause: without the run queue's steal clock the
    /// hypervisor's time counts as whatever the vCPU was running.
    public static let steal = Unavailable(
        what: "runnable_wait.by_cause.steal_ns", needs: "rq::prev_steal_time",
        since: "a kernel built with CONFIG_PARAVIRT")
}
