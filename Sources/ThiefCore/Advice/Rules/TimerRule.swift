/// The local timer and other system vectors dominate the target's on-core
/// interruptions: isolate its CPUs from the tick and housekeeping.
public struct TimerRule: AdviceRule {
    public static let id = "tick"
    public init() {}

    public func advise(_ r: Report, _ c: AdviceContext) -> [Advice] {
        let vectors = r.systemVectors.reduce(0) { $0 &+ $1.totalNs }
        let all = vectors &+ r.irqs.reduce(0) { $0 &+ $1.totalNs } &+ r.softirqs.reduce(0) { $0 &+ $1.totalNs }
        // PREEMPT_RT users already isolate with these boot parameters: no advice they own.
        guard !c.preemptRT, vectors > 0, vectors * 2 >= all, let cpus = Optional(cpuList(c.targetCPUs)), !cpus.isEmpty
        else {
            return []
        }
        let share = c.share(ofOnCore: vectors)
        let top = r.systemVectors.max { $0.totalNs < $1.totalNs }?.name ?? "local_timer"
        return [
            Advice(
                rule: Self.id,
                finding:
                    "System vectors (mostly \(top)) took \(msText(vectors)) of the target's on-core time "
                    + "(\(pctText(share))).",
                savingNs: vectors, share: share,
                commands: ["boot parameters: nohz_full=\(cpus) isolcpus=managed_irq,domain,\(cpus) rcu_nocbs=\(cpus)"],
                caveats:
                    "Boot parameters: they need a reboot, and the CPUs must keep one runnable task each for the tick "
                    + "to stop. Leave at least one CPU (usually 0) for housekeeping.",
                verify: "system_vectors > \(gateDuration(vectors / 2))")
        ]
    }
}
