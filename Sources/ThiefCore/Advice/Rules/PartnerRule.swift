/// A partner thread that wakes the target from another LLC or NUMA node
/// (a vhost or I/O thread serving it from far away): each such wake-up
/// crosses caches. Pin the two together, naming both.
public struct PartnerRule: AdviceRule {
    public static let id = "remote-partner"
    public init() {}

    /// At least this share of a waker's wake-ups come from far away, and at least this many.
    static let minFarShare = 0.25
    static let minFar: UInt64 = 10

    public func advise(_ r: Report, _ c: AdviceContext) -> [Advice] {
        guard let wakers = r.wakers else { return [] }
        let near = Self.targetLLCCPUs(r)
        return wakers.filter { $0.context == "task" && $0.pid != 0 && $0.count > 0 }.compactMap { w in
            let far = w.otherLLC.plus(w.otherNode)
            guard far >= Self.minFar, Double(far) >= Self.minFarShare * Double(w.count) else { return nil }
            // The wake-up latency of the far wake-ups: what being near could shorten.
            let saving = min(UInt64(clamping: Double(w.totalNs) * Double(far) / Double(w.count)), c.waitNs)
            let share = c.share(ofWait: saving)
            var commands: [String] = []
            if !near.isEmpty { commands.append("taskset -pc \(cpuList(near)) \(w.pid)") }
            if r.target.pid > 0, UInt32(r.target.pid) != w.tgid, !near.isEmpty {
                commands.append("taskset -apc \(cpuList(near)) \(r.target.pid)")
            }
            return Advice(
                rule: Self.id,
                finding:
                    "\(w.comm)[\(w.pid)] woke the target \(w.count) times, \(far) of them from another LLC or node "
                    + "(wake-up to run \(msText(saving)) for those).",
                savingNs: saving, share: share, commands: commands,
                caveats:
                    "Pinning both to one LLC keeps their shared data in one cache but puts them on fewer CPUs: "
                    + "watch their runnable wait afterwards. Across NUMA nodes, numactl --cpunodebind=N --membind=N "
                    + "at start keeps memory near too.",
                verify: "waker[pid=\(w.pid)].p99 > \(gateDuration(w.p99Ns / 2))")
        }
    }

    /// The CPUs of the LLC where the target ran most.
    static func targetLLCCPUs(_ r: Report) -> [Int] {
        guard let cpus = r.cpus, let top = cpus.max(by: { $0.onCoreNs < $1.onCoreNs }), let llc = top.llc else {
            return []
        }
        return cpus.filter { $0.llc == llc }.map(\.cpu)
    }
}
