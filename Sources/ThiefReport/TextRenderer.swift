import ThiefCore

/// The human report: cycle_thief's five sections, with the states, runnable
/// wait, stolen time and interrupt tables it lacked.
public enum TextRenderer {
    public static func render(_ r: Report) -> String {
        var out = ""
        func line(_ s: String = "") { out += s + "\n" }

        let threads = r.target.threads.count
        let what = r.target.command.map { "'\($0.joined(separator: " "))'" } ?? "PID \(r.target.pid)"
        line(
            "thief \(r.version): \(what) (\(r.target.comm)), \(threads) thread\(threads == 1 ? "" : "s"), "
                + "\(Format.duration(r.window.durationNs)) window, host \(r.host), kernel \(r.kernel)")
        var status = "started \(r.window.startTime); ended: \(r.window.endReason)"
        if let s = r.target.exitStatus { status += " (exit status \(s))" }
        line(
            status + "; CPUs seen: "
                + (r.window.cpusSeen.isEmpty ? "none" : r.window.cpusSeen.map(String.init).joined(separator: ","))
                + (r.window.cpusOnline.map { " of \($0) online" } ?? ""))
        line(
            "tracer: \(r.tracer.attach), \(r.tracer.programs) programs; records: \(r.records); "
                + "missed switch events (repaired): \(r.missedSwitchEvents); lost events: \(r.lostEvents)"
                + (r.lostEvents > 0 ? "  ** INCOMPLETE: the ring buffer overflowed **" : ""))
        if let c = r.tracer.selfCost {
            let per = c.bpfRuns == 0 ? 0 : c.bpfRunNs / c.bpfRuns
            line(
                "self cost: BPF \(Format.duration(c.bpfRunNs)) in \(c.bpfRuns) runs (\(per)ns each); "
                    + "consumer CPU \(Format.duration(c.consumerCpuNs)); peak RSS \(c.peakRssKb / 1024) MiB")
        }
        line()

        let m = r.migrations
        line(
            "1. Migrations: \(m.count) (at wakeup \(m.atWakeup), while queued \(m.whileQueued), while running \(m.whileRunning))"
        )
        line()

        line("2. On-core: \(summary(r.onCore, noun: "slice"))")
        histogram(r.onCore, into: &out)
        line()

        line("3. Off-core: \(summary(r.offCore, noun: "interval"))")
        histogram(r.offCore, into: &out)
        line("   by state at switch-out:")
        line(
            "     " + Format.pad("STATE", 10, left: true) + Format.pad("TOTAL", 11) + Format.pad("SHARE", 8)
                + Format.pad("COUNT", 9) + Format.pad("P50", 11) + Format.pad("P99", 11) + Format.pad("MAX", 11))
        for state in OffState.allCases {
            guard let s = r.offCore.byState?[state] else { continue }
            line(
                "     " + Format.pad(state.name, 10, left: true) + Format.pad(Format.duration(s.totalNs), 11)
                    + Format.pad(Format.percent(s.pct), 8) + Format.pad("\(s.count)", 9)
                    + Format.pad(Format.duration(s.p50Ns), 11) + Format.pad(Format.duration(s.p99Ns), 11)
                    + Format.pad(Format.duration(s.maxNs), 11))
        }
        line("   runnable wait (preempted + wakeup-to-run): \(summary(r.runnableWait, noun: "wait"))")
        line()

        line("4. Tasks that took the processor (ran on the target's CPU while it waited):")
        if r.thieves.isEmpty {
            line("   none")
        } else {
            line(
                "   " + Format.pad("PID", 8) + Format.pad("TGID", 8) + "  " + Format.pad("COMM", 16, left: true)
                    + Format.pad("COUNT", 8) + Format.pad("STOLEN", 11) + Format.pad("MAX", 11))
            for t in r.thieves.prefix(20) {
                let comm = t.kthread ? "[\(t.comm)]" : t.comm
                line(
                    "   " + Format.pad("\(t.pid)", 8) + Format.pad("\(t.tgid)", 8) + "  "
                        + Format.pad(comm, 16, left: true) + Format.pad("\(t.count)", 8)
                        + Format.pad(Format.duration(t.stolenNs), 11) + Format.pad(Format.duration(t.maxNs), 11))
            }
            if r.thieves.count > 20 { line("   … and \(r.thieves.count - 20) more (see --format json)") }
            line(
                "   total stolen: \(Format.duration(r.stolenNs)) by \(r.thieves.count) task\(r.thieves.count == 1 ? "" : "s"); [name] = kernel thread"
            )
        }
        line()

        line("5. Interrupts that took it (ran on the target's CPU while it ran; own time, nesting excluded):")
        let rows = IRQKind.allCases.flatMap { kind in r.interrupts(kind).map { (kind, $0) } }
        if rows.isEmpty {
            line("   none")
        } else {
            line(
                "   " + Format.pad("TYPE", 8, left: true) + Format.pad("SOURCE", 22, left: true)
                    + Format.pad("COUNT", 8)
                    + Format.pad("TOTAL", 11) + Format.pad("MIN us", 9) + Format.pad("AVG us", 9)
                    + Format.pad("MAX us", 9))
            for (kind, i) in rows {
                let label = kind == .hard ? "\(i.irq ?? 0) \(i.name)" : i.name
                line(
                    "   " + Format.pad(kind.label, 8, left: true) + Format.pad(label, 22, left: true)
                        + Format.pad("\(i.count)", 8)
                        + Format.pad(Format.duration(i.totalNs), 11) + Format.pad(Format.micros(i.minNs), 9)
                        + Format.pad(Format.micros(i.avgNs), 9) + Format.pad(Format.micros(i.maxNs), 9))
            }
        }
        line()

        line("Threads:")
        line(
            "   " + Format.pad("TID", 8) + "  " + Format.pad("COMM", 16, left: true) + Format.pad("ON-CORE", 11)
                + Format.pad("OFF-CORE", 11) + Format.pad("SLICES", 8) + Format.pad("RUNQ WAIT", 11)
                + Format.pad("MIGR", 6))
        for t in r.target.threads {
            line(
                "   " + Format.pad("\(t.tid)", 8) + "  "
                    + Format.pad(t.comm + (t.exited ? " (exited)" : ""), 16, left: true)
                    + Format.pad(Format.duration(t.onCoreNs), 11) + Format.pad(Format.duration(t.offCoreNs), 11)
                    + Format.pad("\(t.slices)", 8) + Format.pad(Format.duration(t.runnableWaitNs), 11)
                    + Format.pad("\(t.migrations)", 6))
        }
        return out
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
