/// Rebuilds the reports of a recording: the same Session and metadata code as
/// a live run, so `thief report` prints what the live run printed.
public enum Replay {
    /// The most intervals a replay makes (a guard against a tiny --interval).
    public static let maxIntervals: UInt64 = 100_000

    public static func intervalCount(_ c: TraceFile.Contents, interval: UInt64) -> UInt64 {
        (c.trailer.end - c.header.runStart) / max(interval, 1) + 1
    }

    /// `worst`: how many of the longest waits each report details (nil: as the live run did);
    /// `observer` sees every event, in order (a Perfetto trace of the recording).
    public static func reports(
        _ c: TraceFile.Contents, interval: UInt64?, worst: Int? = nil, observer: ((Event) -> Void)? = nil
    ) -> [Report] {
        let h = c.header
        let interval = interval.flatMap { intervalCount(c, interval: $0) <= maxIntervals ? $0 : nil }
        let limit = interval != nil && interval == h.interval ? h.intervalCount : nil
        let session = Session(
            runStart: h.runStart, interval: interval, limit: limit, abiVersion: h.abiVersion, topology: h.topology)
        session.observer = observer
        session.worstWaits = min(max(worst ?? h.worstWaits ?? WorstWaits.defaultLimit, 0), WorstWaits.maxLimit)
        for s in h.seeds {
            var seed = s
            if seed.state == nil { seed.state = legacySeedState(s, c) }
            session.addThread(seed)
        }
        // The counters the live run printed in each interval; a replay with
        // another interval (or a recording without them) shows the final ones.
        var counters: [Int: RunTrailer.IntervalCounters] = [:]
        if interval != nil, interval == h.interval {
            for i in c.trailer.intervals ?? [] { counters[i.index] = i }
        }
        var out: [Report] = []
        session.onInterval = { window, idx in
            let k = counters[idx]
            var meta = h.meta(
                window: window, trailer: nil, intervalIndex: idx, interval: interval,
                lostSoFar: k?.lostEvents ?? c.trailer.lostEvents,
                missedSoFar: k?.missedSwitchEvents ?? c.trailer.missedSwitchEvents)
            meta.culprits = c.trailer.culprits
            meta.cpuQuota = c.trailer.cpuQuota ?? h.cpuQuota
            out.append(window.report(meta))
        }
        c.records.withUnsafeBytes { raw in
            var at = 0
            while at + Record.size <= raw.count {
                session.fold(record: raw.baseAddress! + at)
                at += Record.size
            }
        }
        let (last, idx) = session.finish(
            at: c.trailer.end, open: c.trailer.open.map(\.kernel), untouchedOnCore: c.trailer.untouched)
        for (tid, name) in c.trailer.names { last.rename(tid: tid, comm: name) }
        let meta = h.meta(
            window: last, trailer: c.trailer, intervalIndex: interval == nil ? nil : idx, interval: interval,
            lostSoFar: 0, missedSoFar: 0)
        out.append(last.report(meta))
        // Records before ABI 3 name no wakers: not "none", unknown.
        if h.abiVersion < 3 { for i in out.indices { out[i].wakers = nil } }
        return out
    }

    /// A seed's state at the start, for recordings made before thief stored
    /// it: the state the kernel side gave its first off-core interval (the
    /// seed's), or, with no such event, the state it still had at the end.
    static func legacySeedState(_ s: ThreadSeed, _ c: TraceFile.Contents) -> OffState? {
        let decoder = EventDecoder(abiVersion: c.header.abiVersion)
        let found: OffState? = c.records.withUnsafeBytes { raw in
            var at = 0
            while at + Record.size <= raw.count {
                let event = decoder.decode(raw.baseAddress! + at)
                at += Record.size
                switch event {
                case .slice(let e) where e.tid == s.tid: return nil
                case .offCore(let e) where e.tid == s.tid: return e.start == 0 ? e.state : nil
                default: continue
                }
            }
            return nil
        }
        if let found { return found }
        if let o = c.trailer.open.first(where: { $0.tid == s.tid }), o.running == 0, o.offTs == 0 {
            return OffState(kernel: UInt32(o.offState))
        }
        return nil
    }
}
