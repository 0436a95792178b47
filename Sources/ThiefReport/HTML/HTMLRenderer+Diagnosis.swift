import ThiefCore

extension HTMLRenderer {
    static func wakers(_ r: Report, _ out: inout String) {
        guard let list = r.wakers, !list.isEmpty else { return }
        out += "<h2>Who woke it</h2>\n"
        out += table(
            [
                "waker", "pid", "count", "p50", "p99", "max", "same CPU", "same core", "same LLC", "other LLC",
                "other node",
            ],
            list.prefix(20).map {
                [
                    esc($0.kthread ? "[\($0.comm)]" : $0.comm), "\($0.pid)", "\($0.count)", ns($0.p50Ns), ns($0.p99Ns),
                    ns($0.maxNs), "\($0.sameCPU)", "\($0.sameCore)", "\($0.sameLLC)", "\($0.otherLLC)",
                    "\($0.otherNode)",
                ]
            })
    }

    static func cpus(_ r: Report, _ out: inout String) {
        guard let list = r.cpus, !list.isEmpty else { return }
        func opt(_ v: Int?) -> String { v.map { "\($0)" } ?? "-" }
        out += "<h2>Per CPU</h2>\n"
        out += table(
            [
                "CPU", "core", "LLC", "node", "on-core", "runnable wait", "stolen", "contended", "IRQ", "softirq",
                "sysvec",
            ],
            list.map {
                [
                    "\($0.cpu)", opt($0.core), opt($0.llc), opt($0.node), ns($0.onCoreNs), ns($0.runnableWaitNs),
                    ns($0.stolenNs), ns($0.contentionNs), ns($0.irqNs), ns($0.softirqNs), ns($0.sysvecNs),
                ]
            })
    }

    /// Each worst wait as a small timeline: its timed culprits where they
    /// ran inside it, then the untimed causes.
    static func worstWaits(_ r: Report, _ out: inout String) {
        guard let list = r.worstWaits, !list.isEmpty else { return }
        out += "<h2>Worst waits</h2>\n"
        for (i, w) in list.enumerated() {
            out += "<h3>\(i + 1). \(ns(w.durationNs)) — tid \(w.tid) (\(esc(w.comm))) on CPU \(w.cpu)"
            if let k = w.waker { out += ", woken by \(esc(k.comm))[\(k.pid)] from CPU \(k.cpu)" }
            out += "</h3>\n" + timelineSVG(w)
        }
    }

    static func timelineSVG(_ w: Report.WorstWait) -> String {
        let width = 800.0, d = Double(max(w.durationNs, 1))
        var svg = "<svg role=\"img\" aria-label=\"wait timeline\" width=\"800\" height=\"40\" viewBox=\"0 0 800 40\">"
        svg += "<rect x=\"0\" y=\"0\" width=\"800\" height=\"22\" fill=\"#eee\"/>"
        var untimed: [String] = []
        for c in w.culprits {
            guard let s = c.startNs, s >= w.startNs else {
                if c.ns > 0 { untimed.append("\(c.kind) \(Format.duration(c.ns))") }
                continue
            }
            let x = Double(s - w.startNs) / d * width, cw = max(1, Double(c.ns) / d * width)
            let who = c.comm.map { "\($0)[\(c.pid ?? 0)]" } ?? c.name ?? c.kind
            svg += "<rect x=\"\(Format.fixed(x, 1))\" y=\"0\" width=\"\(Format.fixed(cw, 1))\" height=\"22\" "
            svg += "fill=\"\(c.kind == "task" ? "#d62728" : c.kind == "target" ? "#ff7f0e" : "#9467bd")\">"
            svg += "<title>\(esc(who)): \(Format.duration(c.ns))</title></rect>"
        }
        svg += "<text x=\"0\" y=\"36\">\(esc(untimed.joined(separator: ", ")))</text>"
        return svg + "</svg>\n"
    }
}
