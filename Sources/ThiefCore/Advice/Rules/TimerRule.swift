/// The local timer and other system vectors dominate the target's on-core
/// interruptions: isolate its CPUs from the tick and housekeeping. The boot
/// CPU (0) is never isolated: it keeps the housekeeping, and a target that
/// ran only there is moved off it first.
public struct TimerRule: AdviceRule {
    public static let id = "tick"
    public init() {}

    public func advise(_ r: Report, _ c: AdviceContext) -> [Advice] {
        let vectors = r.systemVectors.sum(\.totalNs)
        let others = r.irqs.sum(\.totalNs).plus(r.softirqs.sum(\.totalNs))
        // PREEMPT_RT users already isolate with these boot parameters: no advice they own.
        guard !c.preemptRT, vectors > 0, vectors >= others, !c.targetCPUs.isEmpty else { return [] }
        let share = c.share(ofOnCore: vectors)
        let top = r.systemVectors.max { $0.totalNs < $1.totalNs }?.name ?? "local_timer"
        var isolate = c.isolatableCPUs
        var commands: [String] = []
        var caveats =
            "Boot parameters: they need a reboot, and each isolated CPU must keep one runnable task for the tick "
            + "to stop. CPU \(AdviceContext.bootCPU), the boot CPU, stays for housekeeping."
        if isolate.isEmpty {
            // It ran only on the boot CPU: move it to the others, then isolate those.
            isolate = c.otherCPUs
            if !isolate.isEmpty, r.target.pid > 0 {
                commands.append("taskset -apc \(cpuList(isolate)) \(r.target.pid)")
            }
            caveats +=
                isolate.isEmpty
                ? " The target ran on the boot CPU of a one-CPU machine: there is no CPU to isolate."
                : " The target ran only on the boot CPU: move it to the isolated CPUs (and start it there)."
        }
        let list = cpuList(isolate)
        return [
            Advice(
                rule: Self.id,
                finding:
                    "System vectors (mostly \(top)) took \(msText(vectors)) of the target's on-core time "
                    + "(\(pctText(share))).",
                savingNs: vectors, share: share, commands: commands,
                bootParameters: isolate.isEmpty
                    ? nil : "nohz_full=\(list) isolcpus=managed_irq,domain,\(list) rcu_nocbs=\(list)",
                caveats: caveats,
                verify: "system_vectors > \(gateDuration(vectors / 2))")
        ]
    }
}
