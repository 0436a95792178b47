import ThiefCore

/// The Prometheus text exposition format (0.0.4), for node_exporter's
/// textfile collector, ending with OpenMetrics' `# EOF` (one exposition, so
/// one report: several on one stream are refused by the CLI): every number of the last report as a gauge labelled
/// with host, pid and comm, and histograms of on-core slices and runnable
/// waits in seconds.
public enum OpenMetricsRenderer {
    public static func render(_ r: Report) -> String {
        var out = ""
        let base = "host=\"\(esc(r.host))\",pid=\"\(r.target.pid)\",comm=\"\(esc(r.target.comm))\""
        func gauge(_ name: String, _ help: String, _ samples: [(labels: String, value: String)]) {
            out += "# HELP thief_\(name) \(help)\n# TYPE thief_\(name) gauge\n"
            for s in samples {
                out += "thief_\(name){\(base)\(s.labels.isEmpty ? "" : "," + s.labels)} \(s.value)\n"
            }
        }
        func secs(_ ns: UInt64) -> String { Format.fixed(Double(ns) / 1e9, 9) }
        gauge("window_seconds", "Length of the measured window.", [("", secs(r.window.durationNs))])
        gauge("window_start_timestamp_seconds", "Wall-clock start of the window.", [("", secs(r.window.startEpochNs))])
        gauge("on_core_seconds", "Time the target's threads ran in the window.", [("", secs(r.onCore.totalNs))])
        gauge(
            "off_core_seconds", "Time off-core in the window, by state at switch-out.",
            OffState.allCases.map { ("state=\"\($0.name)\"", secs(r.offCore.totalNs(in: $0))) })
        gauge(
            "runnable_wait_seconds", "Time runnable but not running (run-queue wait).",
            [("", secs(r.runnableWait.totalNs))])
        if let c = r.runnableWait.byCause {
            gauge(
                "runnable_wait_cause_seconds", "Runnable wait by cause; the causes sum to runnable_wait_seconds.",
                // A cause this kernel cannot measure has no sample (never a 0).
                [
                    ("cause=\"tasks\"", c.tasksNs), ("cause=\"targets\"", c.targetsNs),
                    ("cause=\"throttled\"", c.throttledUnavailable ? nil : c.throttledNs), ("cause=\"idle\"", c.idleNs),
                    ("cause=\"steal\"", c.stealUnavailable ? nil : c.stealNs), ("cause=\"other\"", c.otherNs),
                ].compactMap { label, ns in ns.map { (label, secs($0)) } })
        }
        gauge("slices", "On-core slices that ended in the window.", [("", "\(r.onCore.count)")])
        gauge(
            "migrations", "Migrations in the window, by kind.",
            [
                ("kind=\"at_wakeup\"", "\(r.migrations.atWakeup)"),
                ("kind=\"while_queued\"", "\(r.migrations.whileQueued)"),
                ("kind=\"while_running\"", "\(r.migrations.whileRunning)"),
            ])
        gauge(
            "stolen_seconds", "Run time of other tasks while the target waited for its CPU (top 10).",
            r.thieves.prefix(10).map { ("thief_comm=\"\(esc($0.comm))\",thief_pid=\"\($0.pid)\"", secs($0.stolenNs)) })
        gauge(
            "interrupt_seconds", "Own time of interrupts while the target ran, by type.",
            IRQKind.allCases.map { ("type=\"\($0.label)\"", secs(r.interruptNs($0))) })
        gauge(
            "contention_seconds", "Run time of target threads while other targets waited for their CPU.",
            [("", secs(r.contentionNs))])
        processGauges(r, gauge: gauge, secs: secs)
        wakerGauges(r, gauge: gauge, secs: secs)
        gauge("lost_events", "Records dropped because the ring buffer was full.", [("", "\(r.lostEvents)")])
        histogram(&out, "on_core_slice_seconds", "On-core slice lengths.", r.onCore, base)
        histogram(&out, "runnable_wait_episode_seconds", "Runnable-wait episode lengths.", r.runnableWait, base)
        // OpenMetrics ends an exposition with this line (its parsers refuse one
        // without it); the Prometheus text format reads it as a comment.
        return out + "# EOF\n"
    }

    /// The upper bounds (ns) of every histogram's buckets: all the report's
    /// log2 buckets with an upper bound, 1 µs, 2 µs, 4 µs … 2^40 µs, whatever
    /// the data, so the `le` labels are the same in every scrape (the last,
    /// open-ended bucket of the report is only in +Inf).
    public static let bucketBounds: [UInt64] = (0..<(Distribution.bucketCount - 1)).map {
        Distribution.bounds(of: $0).high
    }

    static func histogram(_ out: inout String, _ name: String, _ help: String, _ s: Report.Stats, _ base: String) {
        out += "# HELP thief_\(name) \(help)\n# TYPE thief_\(name) histogram\n"
        var cumulative: UInt64 = 0
        var next = s.hist.startIndex
        for high in bucketBounds {
            while next < s.hist.endIndex, s.hist[next].highNs <= high {
                cumulative &+= s.hist[next].count
                next += 1
            }
            out += "thief_\(name)_bucket{\(base),le=\"\(Format.fixed(Double(high) / 1e9, 6))\"} \(cumulative)\n"
        }
        out += "thief_\(name)_bucket{\(base),le=\"+Inf\"} \(s.count)\n"
        out += "thief_\(name)_sum{\(base)} \(Format.fixed(Double(s.totalNs) / 1e9, 9))\n"
        out += "thief_\(name)_count{\(base)} \(s.count)\n"
    }

    /// Label values: backslash, quote and line feed escaped (the exposition
    /// format's three). On Unicode scalars: "\r\n", or a quote followed by a
    /// combining mark, is one Character and would slip past a Character match.
    static func esc(_ s: String) -> String {
        var o = String.UnicodeScalarView()
        for u in s.unicodeScalars {
            switch u {
            case "\\": o.append(contentsOf: "\\\\".unicodeScalars)
            case "\"": o.append(contentsOf: "\\\"".unicodeScalars)
            case "\n": o.append(contentsOf: "\\n".unicodeScalars)
            default: o.append(u)
            }
        }
        return String(o)
    }

    /// Wake-ups of the 10 wakers that woke most, and their p99 wake-up-to-run latency.
    static func wakerGauges(
        _ r: Report, gauge: (String, String, [(labels: String, value: String)]) -> Void, secs: (UInt64) -> String
    ) {
        guard let list = r.wakers else { return }
        let top = list.prefix(10)
        func labels(_ w: Report.WakerReport) -> String {
            "waker_comm=\"\(esc(w.comm))\",waker_pid=\"\(w.pid)\",waker_context=\"\(esc(w.context))\""
        }
        gauge(
            "wakeups", "Wake-ups of the target by each waker (the 10 that woke most).",
            top.map { (labels($0), "\($0.count)") })
        gauge(
            "wakeup_latency_seconds", "p99 of wake-up to run of each waker's wake-ups (the 10 that woke most).",
            top.map { (labels($0), secs($0.p99Ns)) })
    }

    /// The most label sets a per-process gauge has: the processes that waited
    /// most, and one `process_comm="(others)"` with the sum of the rest.
    public static let maxProcessSeries = 20

    static func processGauges(
        _ r: Report, gauge: (String, String, [(labels: String, value: String)]) -> Void, secs: (UInt64) -> String
    ) {
        let list = r.target.processes ?? []
        var rows = Array(list.prefix(maxProcessSeries))
        if list.count > maxProcessSeries {
            let rest = list.dropFirst(maxProcessSeries)
            rows.append(
                Report.ProcessReport(
                    pid: 0, comm: Processes.othersName, threads: rest.reduce(0) { $0 + $1.threads },
                    onCoreNs: rest.reduce(0) { $0 &+ $1.onCoreNs },
                    runnableWaitNs: rest.reduce(0) { $0 &+ $1.runnableWaitNs },
                    stolenNs: rest.reduce(0) { $0 &+ $1.stolenNs },
                    contentionNs: rest.reduce(0) { $0 &+ $1.contentionNs },
                    migrations: rest.reduce(0) { $0 &+ $1.migrations }))
        }
        func labels(_ p: Report.ProcessReport) -> String { "process_pid=\"\(p.pid)\",process_comm=\"\(esc(p.comm))\"" }
        gauge(
            "process_on_core_seconds",
            "On-core time of each process of the target (the \(maxProcessSeries) that waited most).",
            rows.map { (labels($0), secs($0.onCoreNs)) })
        gauge(
            "process_runnable_wait_seconds", "Runnable wait of each process of the target.",
            rows.map { (labels($0), secs($0.runnableWaitNs)) })
    }
}
