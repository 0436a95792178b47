/// Throttled by the cgroup's CPU quota: raise it, or spread the work.
public struct QuotaRule: AdviceRule {
    public static let id = "cpu-quota"
    public init() {}

    public func advise(_ r: Report, _ c: AdviceContext) -> [Advice] {
        guard let ns = r.runnableWait.byCause?.throttledNs, ns > 0 else { return [] }
        let share = c.share(ofWait: ns)
        var commands: [String] = []
        var where_ = "its cgroup's CPU quota"
        if let q = r.target.cpuQuota, q.periodUs > 0, r.window.durationNs > 0 {
            // What it would have used: its run time plus the time it was held back.
            let want = Double(c.onCoreNs.plus(ns)) / Double(r.window.durationNs)
            // The kernel takes no less than 1 ms a period.
            let quota = max(1000, Int(clamping: (want * Double(q.periodUs)).rounded(.up)))
            commands.append(
                q.version == 2
                    ? "echo '\(quota) \(q.periodUs)' > \(shellWord(q.file))" : "echo \(quota) > \(shellWord(q.file))")
            where_ = "the quota of \(q.cgroup) (\(q.quotaUs) µs per \(q.periodUs) µs)"
        }
        return [
            Advice(
                rule: Self.id,
                finding:
                    "The target was throttled \(msText(ns)) by \(where_) (\(pctText(share)) of its runnable wait).",
                savingNs: ns, share: share, commands: commands,
                caveats:
                    "The quota is someone's decision (a container limit, a systemd CPUQuota=): raise it where it is "
                    + "set, or the change is lost on restart. A bursty target may do better with cpu.max.burst.",
                verify: "runnable_wait.throttled > \(gateDuration(ns / 10))")
        ]
    }
}
