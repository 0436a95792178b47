/// Kernel threads, by what they are: the kernel's own guidance on moving
/// per-CPU work (Documentation/admin-guide/kernel-per-CPU-kthreads.rst).
public struct KernelThreadRule: AdviceRule {
    public static let id = "kernel-thread"
    public init() {}

    public func advise(_ r: Report, _ c: AdviceContext) -> [Advice] {
        r.thieves.filter { $0.kthread && $0.pid != 0 }.compactMap { t in
            guard let (what, commands, boot, caveats) = Self.guidance(t.comm, c) else { return nil }
            let share = c.share(ofWait: t.stolenNs)
            let ran = (t.work ?? []).prefix(3).map { "\($0.function) \(msText($0.totalNs))" }
            return Advice(
                rule: Self.id,
                finding:
                    "[\(t.comm)] (\(what)) ran \(msText(t.stolenNs)) on the target's CPUs while it waited "
                    + "(\(pctText(share)) of its runnable wait)"
                    + (ran.isEmpty ? "." : "; it ran \(ran.joined(separator: ", "))."),
                savingNs: t.stolenNs, share: share, commands: commands, bootParameters: boot, caveats: caveats,
                verify: "thief[comm=\(Self.glob(t.comm))].stolen > \(gateDuration(t.stolenNs / 2))")
        }
    }

    /// `kworker/1:2` -> `kworker/*`: the same kind of thread under another number.
    static func glob(_ comm: String) -> String {
        guard let slash = comm.firstIndex(of: "/") else { return comm }
        return String(comm[...slash]) + "*"
    }

    /// What it is, the commands, the boot parameters and the caveats.
    static func guidance(_ comm: String, _ c: AdviceContext) -> (String, [String], String?, String)? {
        let mine = cpuList(c.targetCPUs)
        if comm.hasPrefix("kworker/") {
            // The file takes a hex mask (a list is refused, and "1" would mean CPU 0).
            let cmd =
                c.otherCPUs.isEmpty
                ? [] : ["echo \(CPUMask.format(c.otherCPUs)) > /sys/devices/virtual/workqueue/cpumask"]
            return (
                "a workqueue worker", cmd, nil,
                "Only unbound workqueues follow the cpumask; per-CPU work (vmstat, timers of this CPU) stays: "
                    + "find its source in the functions it ran."
            )
        }
        if comm.hasPrefix("ksoftirqd/") {
            return (
                "softirqs deferred to a thread", [], nil,
                "It runs the softirqs the CPU could not finish in interrupt context: follow the softirq's source "
                    + "(the IRQs of the NIC or disk: move them, or spread network work with RPS/XPS away from CPUs \(mine))."
            )
        }
        if comm.hasPrefix("rcu") {
            // Never the boot CPU: it keeps the housekeeping.
            let nocbs = cpuList(c.isolatableCPUs)
            return (
                "RCU callbacks", [], nocbs.isEmpty ? nil : "rcu_nocbs=\(nocbs) rcu_nocb_poll",
                nocbs.isEmpty
                    ? "The target ran only on the boot CPU (\(AdviceContext.bootCPU)), which keeps RCU's housekeeping: "
                        + "move the target to other CPUs, then offload their callbacks with rcu_nocbs=."
                    : "Offloads RCU callbacks from the target's CPUs but the boot CPU: boot parameters, they need a reboot."
            )
        }
        if comm.hasPrefix("kswapd") || comm.hasPrefix("kcompactd") {
            return (
                "memory reclaim", [], nil,
                "Memory pressure, not scheduling: free or add memory, or lower the target's footprint."
            )
        }
        if comm.hasPrefix("migration/") || comm.hasPrefix("idle_inject/") {
            return (
                "the scheduler's own stopper", [], nil,
                "Nothing to change: it moves tasks between CPUs (affinity changes, load balance) or injects idle time "
                    + "for thermal control, and runs only briefly."
            )
        }
        return nil
    }
}
