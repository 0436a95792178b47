/// The hypervisor held the target's vCPU while it waited.
public struct HypervisorStealRule: AdviceRule {
    public static let id = "hypervisor-steal"
    public init() {}

    public func advise(_ r: Report, _ c: AdviceContext) -> [Advice] {
        guard let ns = r.runnableWait.byCause?.stealNs, ns > 0 else { return [] }
        let share = c.share(ofWait: ns)
        return [
            Advice(
                rule: Self.id,
                finding:
                    "The hypervisor held the vCPUs the target waited on for \(msText(ns)) "
                    + "(\(pctText(share)) of its runnable wait).",
                savingNs: ns, share: share, commands: [],
                caveats:
                    "Outside this machine's control: ask for dedicated or pinned vCPUs (a larger instance class, "
                    + "CPU pinning on the host) or move to a less loaded host.",
                verify: "runnable_wait.steal > \(gateDuration(ns / 2))")
        ]
    }
}
