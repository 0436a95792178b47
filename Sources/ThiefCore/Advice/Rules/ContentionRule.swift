/// The target's own threads or processes waiting for each other: more
/// runnable threads than the CPUs they may use.
public struct ContentionRule: AdviceRule {
    public static let id = "contention"
    public init() {}

    public func advise(_ r: Report, _ c: AdviceContext) -> [Advice] {
        let ns = r.runnableWait.byCause?.targetsNs ?? r.contentionNs
        guard ns > 0 else { return [] }
        let threads = r.target.threads.filter { $0.runnableWaitNs > 0 }.count
        let cpus = c.targetCPUs.count
        let share = c.share(ofWait: ns)
        var commands: [String] = []
        if let n = c.cpusOnline, n > cpus, r.target.pid > 0 {
            commands.append("taskset -apc \(cpuList(Array(0..<n))) \(r.target.pid)")
        }
        return [
            Advice(
                rule: Self.id,
                finding:
                    "The target's threads waited \(msText(ns)) for each other (\(pctText(share)) of its runnable wait): "
                    + "\(threads) threads were runnable on \(cpus) CPU\(cpus == 1 ? "" : "s").",
                savingNs: ns, share: share, commands: commands,
                caveats:
                    "Size thread pools to the CPUs they may use (\(cpus) here), or let them use more CPUs; "
                    + "spreading threads that share data across LLCs can cost more than the wait.",
                verify: "runnable_wait.targets > \(gateDuration(ns / 2))")
        ]
    }
}
