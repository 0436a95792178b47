import ThiefCore

infix operator -| : AdditionPrecedence

/// Subtraction that stops at 0.
func -| (a: UInt64, b: UInt64) -> UInt64 { a > b ? a - b : 0 }

extension HTMLRenderer {
    /// The target's thread time as one stacked bar: on-core | waiting by
    /// cause | sleeping | blocked | other.
    static func timeBar(_ r: Report, _ out: inout String) {
        let c = r.runnableWait.byCause
        let waitParts: [(String, UInt64, String)] =
            c.map {
                [
                    ("waiting: other tasks", $0.tasksNs, "#d62728"),
                    ("waiting: other targets", $0.targetsNs, "#ff7f0e"),
                    ("waiting: throttled", $0.throttledNs, "#9467bd"), ("waiting: idle CPU", $0.idleNs, "#bcbd22"),
                    ("waiting: hypervisor", $0.stealNs, "#8c564b"), ("waiting: unattributed", $0.otherNs, "#e377c2"),
                ]
            } ?? [("runnable wait", r.runnableWait.totalNs, "#d62728")]
        // Off-core intervals include the wait after a wake-up: take it out of
        // sleeping (where most wake-ups come from) so the bar sums to the thread time.
        let wakeWait = r.runnableWait.totalNs -| r.offCore.totalNs(in: .preempted)
        let parts: [(String, UInt64, String)] =
            [("on-core", r.onCore.totalNs, "#2ca02c")] + waitParts + [
                ("sleeping", r.offCore.totalNs(in: .sleeping) -| wakeWait, "#1f77b4"),
                ("blocked", r.offCore.totalNs(in: .blocked), "#7f7f7f"),
                ("other", r.offCore.totalNs(in: .other), "#c7c7c7"),
            ]
        let total = max(parts.reduce(0) { $0 &+ $1.1 }, 1)
        out += "<h2>Where the time went</h2>\n"
        out +=
            "<svg role=\"img\" aria-label=\"thread time by state\" width=\"800\" height=\"34\" viewBox=\"0 0 800 34\">"
        var x = 0.0
        for (name, v, color) in parts where v > 0 {
            let w = Double(v) / Double(total) * 800
            out +=
                "<rect x=\"\(Format.fixed(x, 2))\" y=\"0\" width=\"\(Format.fixed(w, 2))\" height=\"34\" fill=\"\(color)\">"
            out += "<title>\(esc(name)): \(Format.duration(v))</title></rect>"
            x += w
        }
        out += "</svg>\n"
        out += table(
            ["state", "time", "share"],
            parts.map { [esc($0.0), ns($0.1), Format.percent(Double($0.1) / Double(total))] })
    }

    /// The log2 histograms of slices, off-core intervals and waits.
    static func histograms(_ r: Report, _ out: inout String) {
        out += "<h2>Distributions</h2>\n"
        for (name, key, s) in [
            ("On-core slices", "on_core", r.onCore), ("Off-core intervals", "off_core", r.offCore),
            ("Runnable waits", "runnable_wait", r.runnableWait),
        ] {
            out += "<h3>\(name): \(ns(s.totalNs, key + ".total_ns")) in \(s.count); p50 \(ns(s.p50Ns)), "
            out += "p99 \(ns(s.p99Ns)), max \(ns(s.maxNs))</h3>\n"
            out += histogramSVG(s, label: name)
        }
    }

    static func histogramSVG(_ s: Report.Stats, label: String) -> String {
        let buckets = s.hist.filter { $0.count > 0 }
        guard let peak = buckets.map(\.count).max(), peak > 0 else { return "<p class=\"muted\">none</p>\n" }
        let barW = 56, h = 120
        var svg =
            "<svg role=\"img\" aria-label=\"\(esc(label)) histogram\" width=\"\(buckets.count * barW + 10)\" "
            + "height=\"\(h + 30)\" viewBox=\"0 0 \(buckets.count * barW + 10) \(h + 30)\">"
        for (i, b) in buckets.enumerated() {
            let bh = max(1, Int(Double(b.count) / Double(peak) * Double(h)))
            let x = i * barW + 5
            svg += "<rect x=\"\(x)\" y=\"\(h - bh)\" width=\"\(barW - 4)\" height=\"\(bh)\" fill=\"#4c78a8\">"
            svg += "<title>\(Format.duration(b.lowNs))–\(Format.duration(b.highNs)): \(b.count)</title></rect>"
            svg += "<text x=\"\(x)\" y=\"\(h + 12)\">\(esc(Format.duration(b.lowNs)))</text>"
            svg += "<text x=\"\(x)\" y=\"\(h + 25)\">\(b.count)</text>"
        }
        return svg + "</svg>\n"
    }
}
