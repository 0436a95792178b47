/// A user task that ran on the target's CPUs while the target waited: lower
/// it, move one of the two apart, or raise the target. Never the idle task,
/// a kernel thread (KernelThreadRule) or the `(others)` fold.
public struct UserThiefRule: AdviceRule {
    public static let id = "user-thief"
    public init() {}

    /// How to lower it, from the policy it ran with: a real-time task goes
    /// back to normal first; one already at nice 10 or more goes to SCHED_IDLE.
    static func lower(_ t: Report.Thief) -> [String] {
        switch t.policy {
        case "fifo", "rr", "deadline": return ["chrt -o -p 0 \(t.pid)", "renice -n 10 -p \(t.pid)"]
        case "idle": return []
        default:
            if let nice = t.nice, nice >= 10 { return ["chrt -i -p 0 \(t.pid)"] }
            return ["renice -n 10 -p \(t.pid)", "chrt -b -p 0 \(t.pid)"]
        }
    }

    /// "(fifo/1)", "(nice 5)": how it ran, when the report knows.
    static func how(_ t: Report.Thief) -> String {
        guard let p = t.policy else { return "" }
        if p == "fifo" || p == "rr" { return " (\(p)/\(t.rtPriority ?? 0))" }
        return " (\(p), nice \(t.nice ?? 0))"
    }

    public func advise(_ r: Report, _ c: AdviceContext) -> [Advice] {
        let waiter = r.target.threads.max { $0.runnableWaitNs < $1.runnableWaitNs }
        let me = r.tracer.pid.map { UInt32(bitPattern: $0) }
        let thieves = r.thieves.filter {
            !$0.kthread && $0.pid != 0 && $0.comm != Thieves.othersName && $0.tgid != me
        }
        return thieves.map { t in
            let share = c.share(ofWait: t.stolenNs)
            var commands = Self.lower(t)
            if !c.otherCPUs.isEmpty { commands.append("taskset -pc \(cpuList(c.otherCPUs)) \(t.pid)") }
            if let w = waiter { commands.append("chrt -f -p 1 \(w.tid)") }
            let threadTime = r.target.threads.reduce(0.0) {
                $0 + Double($1.endNs >= $1.startNs ? $1.endNs - $1.startNs : 0)
            }
            let half = threadTime > 0 ? Double(t.stolenNs) / threadTime * 50 : 0
            return Advice(
                rule: Self.id,
                finding:
                    "\(t.comm)[\(t.pid)]\(Self.how(t)) ran \(msText(t.stolenNs)) on the target's CPUs while it waited "
                    + "(\(pctText(share)) of its runnable wait).",
                savingNs: t.stolenNs, share: share, commands: commands,
                caveats:
                    "Lowering \(t.comm) slows it down; moving it needs CPUs the target does not use; "
                    + "SCHED_FIFO for the target can starve everything else on its CPU.",
                verify: "thief[pid=\(t.pid)].stolen > \(String(format2: half))%")
        }
    }
}

extension String {
    /// Two decimals, without Foundation.
    init(format2 x: Double) {
        let hundredths = Int(clamping: (x * 100).rounded(.up))
        let frac = hundredths % 100
        self = "\(hundredths / 100).\(frac < 10 ? "0" : "")\(frac)"
    }
}
