/// Kernel threads, by what they are: the kernel's own guidance on moving
/// per-CPU work (Documentation/admin-guide/kernel-per-CPU-kthreads.rst).
public struct KernelThreadRule: AdviceRule {
    public static let id = "kernel-thread"
    public init() {}

    public func advise(_ r: Report, _ c: AdviceContext) -> [Advice] {
        r.thieves.filter { $0.kthread && $0.pid != 0 }.compactMap { t in
            guard let (what, commands, caveats) = Self.guidance(t.comm, c) else { return nil }
            let share = c.share(ofWait: t.stolenNs)
            let ran = (t.work ?? []).prefix(3).map { "\($0.function) \(msText($0.totalNs))" }
            return Advice(
                rule: Self.id,
                finding:
                    "[\(t.comm)] (\(what)) ran \(msText(t.stolenNs)) on the target's CPUs while it waited "
                    + "(\(pctText(share)) of its runnable wait)"
                    + (ran.isEmpty ? "." : "; it ran \(ran.joined(separator: ", "))."),
                savingNs: t.stolenNs, share: share, commands: commands, caveats: caveats,
                verify: "thief[comm=\(Self.glob(t.comm))].stolen > \(gateDuration(t.stolenNs / 2))")
        }
    }

    /// `kworker/1:2` -> `kworker/*`: the same kind of thread under another number.
    static func glob(_ comm: String) -> String {
        guard let slash = comm.firstIndex(of: "/") else { return comm }
        return String(comm[...slash]) + "*"
    }

    static func guidance(_ comm: String, _ c: AdviceContext) -> (String, [String], String)? {
        let others = cpuList(c.otherCPUs), mine = cpuList(c.targetCPUs)
        if comm.hasPrefix("kworker/") {
            let cmd = others.isEmpty ? [] : ["echo \(others) > /sys/devices/virtual/workqueue/cpumask"]
            return (
                "a workqueue worker", cmd,
                "Only unbound workqueues follow the cpumask; per-CPU work (vmstat, timers of this CPU) stays: "
                    + "find its source in the functions it ran."
            )
        }
        if comm.hasPrefix("ksoftirqd/") {
            return (
                "softirqs deferred to a thread", [],
                "It runs the softirqs the CPU could not finish in interrupt context: follow the softirq's source "
                    + "(the IRQs of the NIC or disk: move them, or spread network work with RPS/XPS away from CPUs \(mine))."
            )
        }
        if comm.hasPrefix("rcu") {
            return (
                "RCU callbacks", [],
                "Boot with rcu_nocbs=\(mine) (and rcu_nocb_poll) to offload RCU callbacks from the target's CPUs: "
                    + "a boot parameter, it needs a reboot."
            )
        }
        if comm.hasPrefix("kswapd") || comm.hasPrefix("kcompactd") {
            return (
                "memory reclaim", [],
                "Memory pressure, not scheduling: free or add memory, or lower the target's footprint."
            )
        }
        if comm.hasPrefix("migration/") || comm.hasPrefix("idle_inject/") {
            return (
                "the scheduler's own stopper", [],
                "Nothing to change: it moves tasks between CPUs (affinity changes, load balance) or injects idle time "
                    + "for thermal control, and runs only briefly."
            )
        }
        return nil
    }
}
