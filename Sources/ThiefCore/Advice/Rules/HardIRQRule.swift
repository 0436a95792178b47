/// Device interrupts on the target's CPUs cut into its on-core time: move them.
public struct HardIRQRule: AdviceRule {
    public static let id = "irq-affinity"
    public init() {}

    public func advise(_ r: Report, _ c: AdviceContext) -> [Advice] {
        let others = cpuList(c.otherCPUs)
        return r.irqs.compactMap { i in
            guard let n = i.irq else { return nil }
            let share = c.share(ofOnCore: i.totalNs)
            return Advice(
                rule: Self.id,
                finding:
                    "IRQ \(n) (\(i.name)) interrupted the target \(i.count) times for \(msText(i.totalNs)) "
                    + "(\(pctText(share)) of its on-core time).",
                savingNs: i.totalNs, share: share,
                commands: others.isEmpty ? [] : ["echo \(others) > /proc/irq/\(n)/smp_affinity_list"],
                caveats:
                    "irqbalance, when it runs, moves IRQs back: ban the IRQ there (IRQBALANCE_BANNED_CPULIST) or stop it. "
                    + "Managed IRQs (NVMe, many NIC queues) refuse a mask: the write fails with EIO.",
                verify: "irqs > \(gateDuration(i.totalNs / 2))")
        }
    }
}
