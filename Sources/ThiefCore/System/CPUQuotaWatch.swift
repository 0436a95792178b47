/// The CPU quota that throttled the target. A target may enter its cgroup
/// after the run starts (`cgexec`: `echo $$ > …/tasks; exec app`), so the
/// quota read at the start may be none, or another cgroup's: whenever the
/// target's throttled time grows, the cgroups (v1 and v2) of the processes
/// whose threads were throttled are read again, and the last quota found
/// while throttling went on is the one reported (`target.cpu_quota`, and the
/// cpu-quota advice's cgroup and command).
public final class CPUQuotaWatch {
    public private(set) var quota: CPUQuota?
    /// How often to look at the most (the run loop calls `update` per drain).
    public static let period: UInt64 = 200_000_000
    /// The most processes read per look.
    public static let maxProcesses = 8
    private let resolve: (Int32) -> CPUQuota?
    private var lastLook: UInt64?
    private var seen: (windowStart: UInt64, throttled: UInt64) = (0, 0)

    /// `start`: the quota read when the run started; `resolve`: a process's quota now.
    public init(start: CPUQuota?, resolve: @escaping (Int32) -> CPUQuota? = { CPUQuota.of(pid: $0) }) {
        quota = start
        self.resolve = resolve
    }

    /// At most every `period`: if the window's throttled time grew, the
    /// quota of the throttled threads' processes, most throttled first.
    public func update(_ window: Window, now: UInt64) {
        if let lastLook, now >= lastLook, now - lastLook < Self.period { return }
        lastLook = now
        look(window)
    }

    /// Unconditionally (the run's end).
    public func look(_ window: Window) {
        var byProcess: [UInt32: UInt64] = [:]
        var total: UInt64 = 0
        for t in window.threads.values where t.waitCauses.throttled > 0 {
            byProcess[t.tgid, default: 0] = byProcess[t.tgid, default: 0].plus(t.waitCauses.throttled)
            total = total.plus(t.waitCauses.throttled)
        }
        let grew = window.start != seen.windowStart ? total > 0 : total > seen.throttled
        seen = (window.start, total)
        guard grew else { return }
        let order = byProcess.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(Self.maxProcesses)
        for (tgid, _) in order where tgid > 0 && tgid <= UInt32(Int32.max) {
            if let q = resolve(Int32(tgid)) {
                quota = q
                return
            }
        }
    }
}
