import ThiefCore
import ThiefGate
import ThiefTracer

/// Judges `RULE over DURATION` triggers: every `period` (a tenth of the
/// window, 100 ms to 1 s) the ring's last DURATION is rebuilt into a report
/// (CaptureAssembler + Replay, as a capture is) and the gate reads the rule's
/// metric from it. A metric the report lacks (no such thief yet) does not fire.
struct WindowJudge {
    let rule: Rule
    let windowNs: UInt64
    let period: UInt64
    private var next: UInt64 = 0

    init(rule: Rule, windowNs: UInt64) {
        self.rule = rule
        self.windowNs = windowNs
        period = min(max(windowNs / 10, 100_000_000), 1_000_000_000)
    }

    /// The value that fires the rule at `now`, or nil (not due, or it holds).
    mutating func judge(
        now: UInt64, watchStart: UInt64, header: RunHeader, ring: RecordRing, open: () -> [RunTrailer.OpenThread],
        names: [UInt32: String]
    ) -> Double? {
        // A window shorter than asked (the watch just started) is not judged.
        guard now >= next, now >= watchStart &+ windowNs else { return nil }
        next = now &+ period
        let start = max(now - windowNs, ring.droppedUpTo &+ 1)
        var a = CaptureAssembler(header: header, start: start, end: now)
        a.kernelOpen = open()
        a.names = names
        a.worstWaits = 0
        guard let report = Replay.reports(a.assemble(ring.records(from: start)), interval: nil).last,
            let value = try? rule.observed(in: report)
        else { return nil }
        return rule.op.holds(value, rule.limit) ? value : nil
    }
}
