import ThiefCore

/// CSV for spreadsheets and scripts: one row per report (per interval), and
/// with per-thread (per-process) rows one more per thread (process). The header is a stable API
/// (docs/formats.md "CSV columns"): columns are only ever added at the end.
public enum CSVRenderer {
    public static let columns = [
        "schema", "timestamp", "epoch_ns", "host", "kernel", "pid", "comm", "tid", "interval_index",
        "interval_ns", "on_core_ns", "off_core_ns", "preempted_ns", "sleeping_ns", "blocked_ns", "other_ns",
        "runnable_wait_ns", "on_core_p50_ns", "on_core_p99_ns", "on_core_max_ns", "runnable_wait_p50_ns",
        "runnable_wait_p99_ns", "runnable_wait_max_ns", "migrations", "slices", "top_thief_comm",
        "top_thief_pid", "top_thief_stolen_ns", "stolen_ns", "irq_ns", "softirq_ns", "sysvec_ns",
        "lost_events", "missed_switch_events", "end_reason", "contention_ns", "target_kind",
        "throttled_ns", "idle_wait_ns", "steal_ns", "top_waker_comm",
    ]

    public static var header: String { columns.joined(separator: ",") + "\n" }

    /// Whether rows may be appended to a file that starts with `head` (its
    /// first bytes): it is empty, or its first line is this header.
    public static func canAppend(toFileStarting head: some Collection<UInt8>) -> Bool {
        guard !head.isEmpty else { return true }
        return String(decoding: head.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self) + "\n" == header
    }

    /// The rows of one report, each ending in "\n".
    public static func rows(_ r: Report, perThread: Bool, perProcess: Bool = false) -> String {
        let w = r.window
        let top = r.topThief
        let interval: [String] = [r.interval.map { "\($0.index)" } ?? "", "\(w.durationNs)"]
        var out = line(
            [
                "\(r.schema)", w.startTime, "\(w.startEpochNs)", r.host, r.kernel, "\(r.target.pid)", r.target.comm, "",
            ] + interval + [
                "\(r.onCore.totalNs)", "\(r.offCore.totalNs)", "\(r.offCore.totalNs(in: .preempted))",
                "\(r.offCore.totalNs(in: .sleeping))", "\(r.offCore.totalNs(in: .blocked))",
                "\(r.offCore.totalNs(in: .other))", "\(r.runnableWait.totalNs)",
                "\(r.onCore.p50Ns)", "\(r.onCore.p99Ns)", "\(r.onCore.maxNs)",
                "\(r.runnableWait.p50Ns)", "\(r.runnableWait.p99Ns)", "\(r.runnableWait.maxNs)",
                "\(r.migrations.count)", "\(r.onCore.count)", top?.comm ?? "", top.map { "\($0.pid)" } ?? "",
                top.map { "\($0.stolenNs)" } ?? "", "\(r.stolenNs)",
                "\(r.interruptNs(.hard))", "\(r.interruptNs(.soft))", "\(r.interruptNs(.systemVector))",
                "\(r.lostEvents)", "\(r.missedSwitchEvents)", w.endReason, "\(r.contentionNs)",
                r.target.kind?.rawValue ?? "",
            ] + causes(r.runnableWait.byCause) + [r.wakers?.first?.comm ?? ""])
        if perProcess {
            for p in r.target.processes ?? [] {
                out += line(
                    [
                        "\(r.schema)", w.startTime, "\(w.startEpochNs)", r.host, r.kernel, "\(p.pid)", p.comm, "",
                    ] + interval + [
                        "\(p.onCoreNs)", "", "", "", "", "", "\(p.runnableWaitNs)", "", "", "", "", "", "",
                        "\(p.migrations)", "", "", "", "", "\(p.stolenNs)", "", "", "",
                        "\(r.lostEvents)", "\(r.missedSwitchEvents)", w.endReason, "\(p.contentionNs)", "",
                    ] + causes(p.byCause) + [""])
            }
        }
        if perThread {
            for t in r.target.threads {
                out += line(
                    [
                        "\(r.schema)", w.startTime, "\(w.startEpochNs)", r.host, r.kernel, "\(t.tgid)", t.comm,
                        "\(t.tid)",
                    ] + interval + [
                        "\(t.onCoreNs)", "\(t.offCoreNs)", "", "", "", "", "\(t.runnableWaitNs)", "", "", "", "", "",
                        "",
                        "\(t.migrations)", "\(t.slices)", "", "", "", "", "", "", "",
                        "\(r.lostEvents)", "\(r.missedSwitchEvents)", w.endReason, "", "",
                    ] + causes(t.byCause) + [""])
            }
        }
        return out
    }

    /// throttled_ns, idle_wait_ns, steal_ns: empty when the report has no
    /// split, n/a where the kernel cannot measure the cause.
    static func causes(_ c: Report.ByCause?) -> [String] {
        guard let c else { return ["", "", ""] }
        return [
            c.throttledUnavailable ? "n/a" : "\(c.throttledNs)", "\(c.idleNs)",
            c.stealUnavailable ? "n/a" : "\(c.stealNs)",
        ]
    }

    static func line(_ fields: [String]) -> String {
        fields.map(quote).joined(separator: ",") + "\n"
    }

    /// RFC 4180: a field with a comma, quote, space or line break is quoted,
    /// and quotes inside are doubled. Decided on Unicode scalars, not
    /// Characters: "\r\n" is one Character, and so is a quote or comma followed
    /// by a combining mark (U+0301), which a Character comparison misses.
    public static func quote(_ field: String) -> String {
        let special: (Unicode.Scalar) -> Bool = { $0 == "," || $0 == "\"" || $0 == " " || $0 == "\n" || $0 == "\r" }
        guard field.unicodeScalars.contains(where: special) else { return field }
        var out = String.UnicodeScalarView()
        out.append("\"")
        for u in field.unicodeScalars {
            if u == "\"" { out.append("\"") }
            out.append(u)
        }
        out.append("\"")
        return String(out)
    }
}
