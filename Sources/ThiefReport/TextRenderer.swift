import ThiefCore

/// The human report: cycle_thief's five sections, with the states, runnable
/// wait, stolen time and interrupt tables it lacked.
public enum TextRenderer {
    public static func render(_ r: Report) -> String {
        var out = ""
        header(r, &out)
        migrations(r, &out)
        onCore(r, &out)
        offCore(r, &out)
        thieves(r, &out)
        contention(r, &out)
        interrupts(r, &out)
        wakers(r, &out)
        cpus(r, &out)
        worstWaits(r, &out)
        processes(r, &out)
        threads(r, &out)
        advice(r, &out)
        return out
    }

    /// What was traced, when, and how complete the records are.
    static func header(_ r: Report, _ out: inout String) {
        // A row of folded exited threads counts as the threads it sums.
        let threads = r.target.threads.reduce(0) { $0 + ($1.threadsFolded ?? 1) }
        out.line(
            "thief \(r.version): \(TargetName.of(r)), \(threads) thread\(threads == 1 ? "" : "s"), "
                + "\(Format.duration(r.window.durationNs)) window, host \(r.host), kernel \(r.kernel)")
        var status = "started \(r.window.startTime); ended: \(r.window.endReason)"
        if let s = r.target.exitStatus { status += " (exit status \(s))" }
        out.line(
            status + "; CPUs seen: "
                + (r.window.cpusSeen.isEmpty ? "none" : r.window.cpusSeen.map(String.init).joined(separator: ","))
                + (r.window.cpusOnline.map { " of \($0) online" } ?? ""))
        out.line(
            "tracer: \(r.tracer.attach), \(r.tracer.programs) programs; records: \(r.records); "
                + "missed switch events (repaired): \(r.missedSwitchEvents); lost events: \(r.lostEvents)"
                + (r.lostEvents > 0 ? "  ** INCOMPLETE: the ring buffer overflowed **" : ""))
        if let c = r.tracer.selfCost {
            let per = c.bpfRuns == 0 ? 0 : c.bpfRunNs / c.bpfRuns
            out.line(
                "self cost: BPF \(Format.duration(c.bpfRunNs)) in \(c.bpfRuns) runs (\(per)ns each); "
                    + "consumer CPU \(Format.duration(c.consumerCpuNs)); peak RSS \(c.peakRssKb / 1024) MiB"
                    + (c.recordsSent.map { "; records sent \($0), held at the end \(c.recordsHeldAtEnd ?? 0)" } ?? ""))
        }
        if let gone = r.tracer.unavailable, !gone.isEmpty {
            out.line(
                "n/a on this kernel: "
                    + gone.map { "\($0.what) (needs \($0.needs): \($0.since))" }.joined(separator: "; "))
        }
        out.line()
    }

    static func migrations(_ r: Report, _ out: inout String) {
        let m = r.migrations
        out.line(
            "1. Migrations: \(m.count) (at wakeup \(m.atWakeup), while queued \(m.whileQueued), "
                + "while running \(m.whileRunning))")
        migrationDistances(r, &out)
        out.line()
    }

    static func onCore(_ r: Report, _ out: inout String) {
        out.line("2. On-core: \(summary(r.onCore, noun: "slice"))")
        histogram(r.onCore, into: &out)
        out.line()
    }

    /// Off-core time, by state at switch-out, and the runnable wait by cause.
    static func offCore(_ r: Report, _ out: inout String) {
        out.line("3. Off-core: \(summary(r.offCore, noun: "interval"))")
        histogram(r.offCore, into: &out)
        out.line("   by state at switch-out:")
        out.line(
            "     " + Format.pad("STATE", 10, left: true) + Format.pad("TOTAL", 11) + Format.pad("SHARE", 8)
                + Format.pad("COUNT", 9) + Format.pad("P50", 11) + Format.pad("P99", 11) + Format.pad("MAX", 11))
        for state in OffState.allCases {
            guard let s = r.offCore.byState?[state] else { continue }
            out.line(
                "     " + Format.pad(state.name, 10, left: true) + Format.pad(Format.duration(s.totalNs), 11)
                    + Format.pad(Format.percent(s.pct), 8) + Format.pad("\(s.count)", 9)
                    + Format.pad(Format.duration(s.p50Ns), 11) + Format.pad(Format.duration(s.p99Ns), 11)
                    + Format.pad(Format.duration(s.maxNs), 11))
        }
        out.line("   runnable wait (preempted + wakeup-to-run): \(summary(r.runnableWait, noun: "wait"))")
        if let c = r.runnableWait.byCause, r.runnableWait.count > 0 {
            let parts: [(String, UInt64)] = [
                ("other tasks", c.tasksNs), ("other targets", c.targetsNs), ("throttled", c.throttledNs),
                ("idle CPU", c.idleNs), ("hypervisor steal", c.stealNs), ("unattributed", c.otherNs),
            ]
            let unavailable =
                (c.throttledUnavailable ? ["throttled n/a"] : []) + (c.stealUnavailable ? ["hypervisor steal n/a"] : [])
            out.line(
                "   by cause: "
                    + (parts.filter { $0.1 > 0 || $0.0 == "other tasks" }.map { "\($0.0) \(Format.duration($0.1))" }
                    + unavailable)
                    .joined(separator: ", "))
        }
        out.line()
    }

    static func thieves(_ r: Report, _ out: inout String) {
        out.line("4. Tasks that took the processor (ran on the target's CPU while it waited):")
        guard !r.thieves.isEmpty else {
            out.line("   none")
            out.line()
            return
        }
        taskTable(r.thieves, &out)
        workLines(r.thieves.prefix(rows), &out)
        out.line(
            "   total stolen: \(Format.duration(r.stolenNs)) by \(r.thieves.count) task\(r.thieves.count == 1 ? "" : "s"); "
                + "[name] = kernel thread"
                + (r.thieves.prefix(rows).contains { $0.kind != nil }
                    ? "; interrupt: = interrupt work run as a thread (PREEMPT_RT, threadirqs)" : ""))
        out.line()
    }

    /// Shown only when other targets ran while a target waited.
    static func contention(_ r: Report, _ out: inout String) {
        guard let list = r.contention, !list.isEmpty else { return }
        out.line("   Contention among targets (target threads that ran on the CPU a target waited for):")
        taskTable(list, &out)
        out.line("   total: \(Format.duration(r.contentionNs))")
        out.line()
    }

    /// After a task's row: what interrupt work a kernel thread runs, if it does.
    static func interruptMarker(_ t: Report.Thief) -> String {
        switch t.kind {
        case .irq?: "  interrupt: IRQ " + (t.irq.map(String.init) ?? "?") + (t.irqName.map { " \($0)" } ?? "")
        case .softirq?: "  interrupt: softirqs"
        case .timers?: "  interrupt: timers"
        case nil: ""
        }
    }

    /// Rows of a task table; the rest are grouped by command, then counted.
    static let rows = 20

    static func taskTable(_ list: [Report.Thief], _ out: inout String) {
        out.line(
            "   " + Format.pad("PID", 8) + Format.pad("TGID", 8) + "  " + Format.pad("COMM", 16, left: true)
                + " " + Format.pad("POLICY", 10, left: true) + Format.pad("NI", 4) + Format.pad("COUNT", 8)
                + Format.pad("STOLEN", 11) + Format.pad("MAX", 11))
        for t in list.prefix(rows) {
            let comm = t.kthread ? "[\(t.comm)]" : t.comm
            out.line(
                "   " + Format.pad("\(t.pid)", 8) + Format.pad("\(t.tgid)", 8) + "  "
                    + Format.pad(comm, 16, left: true) + " " + Format.pad(policy(t), 10, left: true)
                    + Format.pad(niceness(t), 4) + Format.pad("\(t.count)", 8)
                    + Format.pad(Format.duration(t.stolenNs), 11) + Format.pad(Format.duration(t.maxNs), 11)
                    + interruptMarker(t))
        }
        guard list.count > rows else { return }
        for g in CommGroup.groups(list.dropFirst(rows)) {
            out.line(
                "   \(g.comm) ×\(g.processes) process\(g.processes == 1 ? "" : "es") \(Format.duration(g.stolenNs))")
        }
        out.line("   … and \(list.count - rows) more (see --format json)")
    }

    /// "fifo/1" for RT tasks, the policy's name otherwise; "-" unknown (an older recording).
    static func policy(_ t: Report.Thief) -> String {
        guard let p = t.policy else { return "-" }
        return p == "fifo" || p == "rr" ? "\(p)/\(t.rtPriority ?? 0)" : p
    }

    /// Nice means nothing to RT and deadline tasks.
    static func niceness(_ t: Report.Thief) -> String {
        guard let n = t.nice, let p = t.policy, !["fifo", "rr", "deadline"].contains(p) else { return "-" }
        return "\(n)"
    }

    /// A kworker's workqueue functions, under the table: "[kworker/0:2] vmstat_update 12.10ms".
    static func workLines(_ list: ArraySlice<Report.Thief>, _ out: inout String) {
        for t in list {
            for w in t.work ?? [] {
                out.line(
                    "   [\(t.comm)] \(w.function) \(Format.duration(w.totalNs)) "
                        + "(\(w.count) item\(w.count == 1 ? "" : "s"))")
            }
        }
    }

    static func interrupts(_ r: Report, _ out: inout String) {
        out.line("5. Interrupts that took it (ran on the target's CPU while it ran; own time, nesting excluded):")
        let rows = IRQKind.allCases.flatMap { kind in r.interrupts(kind).map { (kind, $0) } }
        guard !rows.isEmpty else {
            out.line("   none")
            out.line()
            return
        }
        out.line(
            "   " + Format.pad("TYPE", 8, left: true) + Format.pad("SOURCE", 22, left: true) + Format.pad("COUNT", 8)
                + Format.pad("TOTAL", 11) + Format.pad("MIN us", 9) + Format.pad("AVG us", 9)
                + Format.pad("MAX us", 9))
        for (kind, i) in rows {
            let label = kind == .hard ? "\(i.irq ?? 0) \(i.name)" : i.name
            out.line(
                "   " + Format.pad(kind.label, 8, left: true) + Format.pad(label, 22, left: true)
                    + Format.pad("\(i.count)", 8) + Format.pad(Format.duration(i.totalNs), 11)
                    + Format.pad(Format.micros(i.minNs), 9) + Format.pad(Format.micros(i.avgNs), 9)
                    + Format.pad(Format.micros(i.maxNs), 9))
        }
        out.line()
    }

    /// Shown when the target is more than one process, most waiting first.
    static func processes(_ r: Report, _ out: inout String) {
        guard let list = r.target.processes, list.count > 1 else { return }
        out.line("Processes:")
        out.line(
            "   " + Format.pad("PID", 8) + "  " + Format.pad("COMM", 16, left: true) + Format.pad("THREADS", 8)
                + Format.pad("ON-CORE", 11) + Format.pad("RUNQ WAIT", 11) + Format.pad("STOLEN", 11)
                + Format.pad("CONTENDED", 11) + Format.pad("MIGR", 6))
        for p in list {
            out.line(
                "   " + Format.pad("\(p.pid)", 8) + "  " + Format.pad(p.comm, 16, left: true)
                    + Format.pad("\(p.threads)", 8) + Format.pad(Format.duration(p.onCoreNs), 11)
                    + Format.pad(Format.duration(p.runnableWaitNs), 11) + Format.pad(Format.duration(p.stolenNs), 11)
                    + Format.pad(Format.duration(p.contentionNs), 11) + Format.pad("\(p.migrations)", 6))
        }
        out.line()
    }

    static func threads(_ r: Report, _ out: inout String) {
        out.line("Threads:")
        out.line(
            "   " + Format.pad("TID", 8) + "  " + Format.pad("COMM", 16, left: true) + Format.pad("ON-CORE", 11)
                + Format.pad("OFF-CORE", 11) + Format.pad("SLICES", 8) + Format.pad("RUNQ WAIT", 11)
                + Format.pad("MIGR", 6))
        for t in r.target.threads {
            out.line(
                "   " + Format.pad("\(t.tid)", 8) + "  "
                    + Format.pad(
                        t.threadsFolded.map { "(\($0) exited)" } ?? t.comm + (t.exited ? " (exited)" : ""), 16,
                        left: true)
                    + Format.pad(Format.duration(t.onCoreNs), 11) + Format.pad(Format.duration(t.offCoreNs), 11)
                    + Format.pad("\(t.slices)", 8) + Format.pad(Format.duration(t.runnableWaitNs), 11)
                    + Format.pad("\(t.migrations)", 6))
        }
    }

    static func summary(_ s: Report.Stats, noun: String) -> String {
        guard s.count > 0 else { return "no \(noun)s" }
        return
            "\(Format.duration(s.totalNs)) in \(s.count) \(noun)\(s.count == 1 ? "" : "s") (\(Format.percent(s.pct)) of thread time); "
            + "p50 \(Format.duration(s.p50Ns)), p99 \(Format.duration(s.p99Ns)), max \(Format.duration(s.maxNs))"
    }

    /// bcc-style log2 histogram in microseconds.
    static func histogram(_ s: Report.Stats, into out: inout String) {
        guard let peak = s.hist.map(\.count).max(), peak > 0 else { return }
        out += "     " + Format.pad("usecs", 19) + " : count     distribution\n"
        for b in s.hist {
            let range = Format.pad("\(b.lowNs / 1000) -> \(b.highNs / 1000)", 19)
            let width = Int((Double(b.count) / Double(peak) * 40).rounded(.up))
            let bar = String(repeating: "@", count: b.count == 0 ? 0 : max(1, width))
            out +=
                "     " + range + " : " + Format.pad("\(b.count)", 9, left: true) + " |"
                + Format.pad(bar, 40, left: true) + "|\n"
        }
    }
}

extension String {
    mutating func line(_ s: String = "") { self += s + "\n" }
}
