import ThiefCore

extension TextRenderer {
    /// A capture's report.txt (`thief watch`): the trigger, its wait broken
    /// down as the worst waits are (who held the CPU, interrupts, throttled,
    /// steal, the waker), the advice, then the whole report of the capture.
    public static func renderCapture(_ r: Report, trigger t: CaptureTrigger) -> String {
        var out = ""
        out.line("thief watch capture: \(t.rule) fired at \(t.time) (\(triggerValue(t)))")
        let c = t.capture
        out.line(
            "covers \(Format.duration(c.coversBeforeNs)) before and \(Format.duration(c.coversAfterNs)) after it "
                + "(asked \(Format.duration(c.beforeNs)) and \(Format.duration(c.afterNs)))"
                + (c.memoryCut ? "; --memory held no more before it" : "")
                + (c.cutShort ? "; the watch ended first" : "")
                + "; seen \(Format.duration(t.latencyNs)) after it")
        if !t.joined.isEmpty { out.line("joined by \(t.joined.count) later trigger(s) inside the after-window") }
        if t.suppressed > 0 { out.line("\(t.suppressed) trigger(s) suppressed since the previous capture") }
        out.line()
        if let w = t.wait {
            out.line("The wait that fired:")
            if let found = t.breakdown {
                var one = r
                one.worstWaits = [found]
                var section = ""
                worstWaits(one, &section)
                out += section.split(separator: "\n", omittingEmptySubsequences: false).dropFirst().joined(
                    separator: "\n")
            } else {
                out.line(
                    "   \(Format.duration(w.durationNs))  tid \(w.tid) (\(w.comm)) on CPU \(w.cpu): "
                        + "no breakdown (the capture does not hold it)")
                out.line()
            }
        }
        advice(r, &out)
        out.line(String(repeating: "-", count: 72))
        out += render(r)
        return out
    }

    static func triggerValue(_ t: CaptureTrigger) -> String {
        switch t.kind {
        case "wait": return "a wait of \(Format.duration(UInt64(t.value)))"
        case "signal": return "on demand"
        default:
            return t.rule.contains("%")
                ? "value \(Format.fixed(t.value * 100, 1))%" : "value \(Format.fixed(t.value, 0))"
        }
    }
}
