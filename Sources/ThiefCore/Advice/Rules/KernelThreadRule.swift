/// Kernel threads, by what they are: the kernel's own guidance on moving
/// per-CPU work (Documentation/admin-guide/kernel-per-CPU-kthreads.rst).
public struct KernelThreadRule: AdviceRule {
    public static let id = "kernel-thread"
    public init() {}

    public func advise(_ r: Report, _ c: AdviceContext) -> [Advice] {
        r.thieves.filter { $0.kthread && $0.pid != 0 }.compactMap { t in
            guard let (what, commands, boot, caveats) = Self.interruptGuidance(t, c) ?? Self.guidance(t.comm, c)
            else { return nil }
            let share = c.share(ofWait: t.stolenNs)
            let pattern = t.kind == .irq ? t.comm : Self.glob(t.comm)
            let ran = (t.work ?? []).prefix(3).map { "\($0.function) \(msText($0.totalNs))" }
            return Advice(
                rule: Self.id,
                finding:
                    "[\(t.comm)] (\(what)) ran \(msText(t.stolenNs)) on the target's CPUs while it waited "
                    + "(\(pctText(share)) of its runnable wait)"
                    + (ran.isEmpty ? "." : "; it ran \(ran.joined(separator: ", "))."),
                savingNs: t.stolenNs, share: share, commands: commands, bootParameters: boot, caveats: caveats,
                verify: "thief[comm=\(pattern)].stolen > \(gateDuration(Self.stolen(matching: pattern, r.thieves) / 2))"
            )
        }
    }

    /// `kworker/1:2` -> `kworker/*`: the same kind of thread under another number.
    static func glob(_ comm: String) -> String {
        guard let slash = comm.firstIndex(of: "/") else { return comm }
        return String(comm[...slash]) + "*"
    }

    /// What the gate's `thief[comm=PATTERN].stolen` reads in this report: the
    /// sum over every thief the pattern matches (`kworker/*` is kworker/u8:5 and
    /// kworker/0:1 alike), so that a verify rule asks for half of what it
    /// measures, not half of one thread's part of it (with three kworkers, a
    /// threshold from one of them failed even once that one stole nothing).
    static func stolen(matching pattern: String, _ thieves: [Report.Thief]) -> UInt64 {
        let prefix = pattern.hasSuffix("*") ? String(pattern.dropLast()) : nil
        return thieves.reduce(0) { sum, t in
            guard prefix.map({ t.comm.hasPrefix($0) }) ?? (t.comm == pattern) else { return sum }
            let (total, overflow) = sum.addingReportingOverflow(t.stolenNs)
            return overflow ? .max : total
        }
    }

    /// Interrupt work run as a thread (`InterruptThread`). On PREEMPT_RT it
    /// is scheduled like any task: move the IRQ, or order it against the
    /// target by priority (IRQ threads run SCHED_FIFO 50 by default,
    /// ktimers FIFO 1); RT users already isolate their CPUs, so no nohz here.
    static func interruptGuidance(_ t: Report.Thief, _ c: AdviceContext) -> (String, [String], String?, String)? {
        let others = cpuList(c.otherCPUs)
        let prio = t.rtPriority.map { "SCHED_FIFO \($0)" } ?? "SCHED_FIFO"
        switch t.kind {
        case .irq?:
            guard let n = t.irq else { return nil }
            return (
                "the threaded handler of IRQ \(n)" + (t.irqName.map { " (\($0))" } ?? ""),
                // Only runnable commands here: the priority to choose depends on the target's own.
                others.isEmpty ? [] : ["echo \(others) > /proc/irq/\(n)/smp_affinity_list"], nil,
                "The thread runs at \(prio) and follows its IRQ's affinity (/proc/irq/\(n)/smp_affinity): move the IRQ "
                    + "off the target's CPUs (\(cpuList(c.targetCPUs))), or give the target a higher SCHED_FIFO "
                    + "priority than the thread (chrt -f -p PRIO TARGET_PID). Lowering an IRQ thread delays its device."
            )
        case .timers?:
            return (
                "timer expiry (PREEMPT_RT)", [], nil,
                "Timers of the target's CPUs expire here, at \(prio): a target at a higher SCHED_FIFO priority is not "
                    + "delayed by it; otherwise find the timers (perf trace -e timer:*) and move their owners."
            )
        case .softirq? where c.preemptRT:
            return (
                "softirqs deferred to a thread (PREEMPT_RT)", [], nil,
                "On PREEMPT_RT softirqs run in the thread that raised them or here, at \(prio): move the IRQ that "
                    + "raises them (/proc/irq/N/smp_affinity_list) or raise the target's priority above it (chrt -f)."
            )
        default:
            return nil
        }
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
        if comm.hasPrefix("ksoftirqd/") {  // (on PREEMPT_RT: interruptGuidance)
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
