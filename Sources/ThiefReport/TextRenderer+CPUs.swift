import ThiefCore

extension TextRenderer {
    /// Migrations by how far they moved, under section 1.
    static func migrationDistances(_ r: Report, _ out: inout String) {
        guard let d = r.migrations.byDistance, r.migrations.count > 0 else { return }
        var parts = [
            ("same core", d.sameCore), ("same LLC", d.sameLLC), ("other LLC", d.otherLLC), ("other node", d.otherNode),
        ]
        if let u = d.unknown { parts.append(("unknown topology", u)) }
        out.line("   by distance: " + parts.map { "\($0.0) \($0.1)" }.joined(separator: ", "))
    }

    /// Who woke the target's threads, most wake-ups first (top 10).
    static func wakers(_ r: Report, _ out: inout String) {
        guard let list = r.wakers else { return }
        out.line("Wakers (who woke the target from a sleep; latency = wake-up to run):")
        guard !list.isEmpty else {
            out.line("   none")
            out.line()
            return
        }
        out.line(
            "   " + Format.pad("WAKER", 16, left: true) + Format.pad("PID", 8) + Format.pad("COUNT", 8)
                + Format.pad("P50", 11) + Format.pad("P99", 11) + Format.pad("MAX", 11) + "  WHERE (waker's CPU)")
        for w in list.prefix(10) {
            out.line(
                "   " + Format.pad(w.kthread ? "[\(w.comm)]" : w.comm, 16, left: true)
                    + Format.pad(w.context == "task" ? "\(w.pid)" : "-", 8) + Format.pad("\(w.count)", 8)
                    + Format.pad(Format.duration(w.p50Ns), 11) + Format.pad(Format.duration(w.p99Ns), 11)
                    + Format.pad(Format.duration(w.maxNs), 11) + "  " + place(w))
        }
        if list.count > 10 { out.line("   … and \(list.count - 10) more (see --format json)") }
        out.line()
    }

    /// The distances a waker's wake-ups crossed, nearest first, those that happened.
    static func place(_ w: Report.WakerReport) -> String {
        let parts = [
            ("same CPU", w.sameCPU), ("same core", w.sameCore), ("same LLC", w.sameLLC), ("other LLC", w.otherLLC),
            ("other node", w.otherNode), ("unknown", w.unknown ?? 0),
        ]
        return parts.filter { $0.1 > 0 }.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
    }

    /// The target's time by CPU.
    static func cpus(_ r: Report, _ out: inout String) {
        guard let list = r.cpus, !list.isEmpty else { return }
        out.line("Per CPU (waits by the CPU they ended on):")
        out.line(
            "   " + Format.pad("CPU", 5) + Format.pad("CORE", 6) + Format.pad("LLC", 5) + Format.pad("NODE", 6)
                + Format.pad("ON-CORE", 11) + Format.pad("RUNQ WAIT", 11) + Format.pad("STOLEN", 11)
                + Format.pad("CONTENDED", 11) + Format.pad("IRQ", 11) + Format.pad("SOFTIRQ", 11)
                + Format.pad("SYSVEC", 11))
        func id(_ n: Int?) -> String { n.map { "\($0)" } ?? "?" }
        for c in list {
            out.line(
                "   " + Format.pad("\(c.cpu)", 5) + Format.pad(id(c.core), 6) + Format.pad(id(c.llc), 5)
                    + Format.pad(id(c.node), 6) + Format.pad(Format.duration(c.onCoreNs), 11)
                    + Format.pad(Format.duration(c.runnableWaitNs), 11) + Format.pad(Format.duration(c.stolenNs), 11)
                    + Format.pad(Format.duration(c.contentionNs), 11) + Format.pad(Format.duration(c.irqNs), 11)
                    + Format.pad(Format.duration(c.softirqNs), 11) + Format.pad(Format.duration(c.sysvecNs), 11))
        }
        out.line()
    }
}
