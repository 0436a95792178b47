import ThiefCore

extension HTMLRenderer {
    static func causes(_ r: Report, _ out: inout String) {
        guard let c = r.runnableWait.byCause else { return }
        out += "<h2>Runnable wait by cause</h2>\n"
        out += table(
            ["cause", "time"],
            [
                ["other tasks", ns(c.tasksNs, "by_cause.tasks_ns")],
                ["other targets", ns(c.targetsNs, "by_cause.targets_ns")],
                ["throttled", c.throttledUnavailable ? "n/a" : ns(c.throttledNs, "by_cause.throttled_ns")],
                ["idle CPU", ns(c.idleNs, "by_cause.idle_ns")],
                ["hypervisor steal", c.stealUnavailable ? "n/a" : ns(c.stealNs, "by_cause.steal_ns")],
                ["unattributed", ns(c.otherNs, "by_cause.other_ns")],
            ])
    }

    static func thieves(_ r: Report, _ out: inout String) {
        out += "<h2>Tasks that took the processor</h2>\n"
        out += taskTable(r.thieves)
        if let c = r.contention, !c.isEmpty {
            out += "<h2>Contention among targets</h2>\n" + taskTable(c)
        }
    }

    static func taskTable(_ list: [Report.Thief]) -> String {
        guard !list.isEmpty else { return "<p class=\"muted\">none</p>\n" }
        return table(
            ["comm", "pid", "tgid", "count", "stolen", "max"],
            list.prefix(50).map {
                [
                    esc($0.kthread ? "[\($0.comm)]" : $0.comm), "\($0.pid)", "\($0.tgid)", "\($0.count)",
                    ns($0.stolenNs), ns($0.maxNs),
                ]
            })
    }

    static func interrupts(_ r: Report, _ out: inout String) {
        out += "<h2>Interrupts while it ran</h2>\n"
        let rows: [[String]] = [("hard", r.irqs), ("softirq", r.softirqs), ("sysvec", r.systemVectors)].flatMap {
            kind, list in
            list.map {
                [kind, esc($0.irq.map { "\($0) " } ?? "") + esc($0.name), "\($0.count)", ns($0.totalNs), ns($0.maxNs)]
            }
        }
        out +=
            rows.isEmpty
            ? "<p class=\"muted\">none</p>\n"
            : table(["type", "source", "count", "total", "max"], rows, leftColumns: 2)
    }

    static func threads(_ r: Report, _ out: inout String) {
        out += "<h2>Threads</h2>\n"
        out += table(
            ["comm", "tid", "on-core", "off-core", "slices", "runnable wait", "migrations"],
            r.target.threads.prefix(200).map {
                [
                    esc($0.comm), "\($0.tid)", ns($0.onCoreNs), ns($0.offCoreNs), "\($0.slices)", ns($0.runnableWaitNs),
                    "\($0.migrations)",
                ]
            })
    }

    static func advice(_ r: Report, _ out: inout String) {
        guard let list = r.advice, !list.isEmpty else { return }
        out += "<h2>What to change</h2>\n<ol>\n"
        for a in list {
            out += "<li><p><b>\(esc(a.rule))</b>: \(esc(a.finding))</p>"
            if !a.commands.isEmpty { out += "<pre><code>\(esc(a.commands.joined(separator: "\n")))</code></pre>" }
            if let boot = a.bootParameters {
                out +=
                    "<p>Kernel command line: <code>\(esc(boot))</code> (\(esc(Advice.bootParametersWhere)))</p>"
            }
            out +=
                "<p class=\"muted\">\(esc(a.caveats))</p><p>Verify: <code>thief gate … --fail-if '\(esc(a.verify))'</code></p></li>\n"
        }
        out += "</ol>\n"
    }
}
