import ThiefCore

extension TextRenderer {
    /// The longest stretches shown per wait; the JSON report has them all.
    static let stretchLines = 10

    /// Each of the longest waits with a short timeline of what held its CPU.
    static func worstWaits(_ r: Report, _ out: inout String) {
        guard let list = r.worstWaits else { return }
        out.line("Worst waits (the longest runnable waits; what held the CPU meanwhile, from the wait's start):")
        if list.isEmpty { out.line("   none") }
        for (i, w) in list.enumerated() {
            out.line(Format.pad("\(i + 1)", 3) + ". " + headline(w))
            let timed = w.culprits.filter { $0.startNs != nil }
            for c in timed.prefix(stretchLines) {
                let offset = "+" + Format.duration((c.startNs ?? w.startNs) &- w.startNs)
                out.line(
                    "      " + Format.pad(offset, 10, left: true) + Format.pad(name(c), 24, left: true)
                        + Format.pad(Format.duration(c.ns), 10))
            }
            if timed.count > stretchLines {
                let rest = timed.dropFirst(stretchLines)
                out.line(
                    "      … and \(rest.count) more stretches, \(Format.duration(rest.reduce(0) { $0 &+ $1.ns })) (see --format json)"
                )
            }
            let untimed = w.culprits.filter { $0.startNs == nil }
            out.line(
                "      "
                    + untimed.map { "\($0.kind) \($0.ns == 0 ? "0" : Format.duration($0.ns))" }.joined(separator: ", "))
        }
        out.line()
    }

    static func headline(_ w: Report.WorstWait) -> String {
        var s = "\(Format.duration(w.durationNs))  tid \(w.tid) (\(w.comm)) on CPU \(w.cpu)"
        if w.queueCpu != w.cpu { s += " (queued on CPU \(w.queueCpu))" }
        if let k = w.waker {
            let who = k.kthread ? "[\(k.comm)]" : "\(k.comm)[\(k.pid)]"
            s +=
                k.context == "task"
                ? ", woken by \(who) from CPU \(k.cpu)" : ", woken from a \(k.context) on CPU \(k.cpu) (in \(who))"
        }
        if w.truncated { s += " (history truncated)" }
        return s
    }

    static func name(_ c: Report.Culprit) -> String {
        switch c.kind {
        case "task": c.kthread == true ? "[\(c.comm ?? "")]" : "\(c.comm ?? "")[\(c.pid ?? 0)]"
        case "target": "\(c.comm ?? "")[\(c.pid ?? 0)] (target)"
        case "hardirq": "hardirq \(c.irq ?? 0) \(c.name ?? "")"
        default: "\(c.kind) \(c.name ?? "")"
        }
    }
}
