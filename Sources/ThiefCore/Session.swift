import CThiefABI

/// Turns one run's record stream into reports: one for the whole run, or one
/// per interval. The same code serves a live run and the replay of a
/// recording, so both produce the same numbers from the same records.
///
/// Interval accounting is exact: the time of an on-core, off-core or waiting
/// episode that spans a boundary is split at the boundary (from the
/// per-thread state that the records themselves imply), and the interval in
/// which it ends gets the rest, so the intervals' totals add up to the whole
/// run's to the nanosecond. Counts, histograms and percentiles describe the
/// episodes that ended in an interval, at their full length. Thieves,
/// interrupts and migrations count in the interval in which they end.
///
/// The tracker knows every thread from the start: the threads that exist
/// when tracing starts are off-core from the window's start in the state
/// /proc gave (as the kernel side seeds them), new threads from their
/// creation. A thread's exit ends its episodes. Time a closed interval gave
/// to an episode that its record then shows shorter (a slice's
/// se.sum_exec_runtime growth is less than its timestamps' span when IRQ or
/// steal time is excluded), or that no record ever ended, is owed: the
/// thread's next episodes of that kind give it back, so the sums stay exact.
public final class Session {
    public let runStart: UInt64
    public let interval: UInt64?
    /// How long after its end an interval waits for late records.
    public static let grace: UInt64 = 50_000_000

    /// Windows still open, oldest first; the last one is current.
    public private(set) var open: [Aggregator] = []
    private var closedCount = 0
    private var tracker: [UInt32: Episodes] = [:]
    /// Called with each interval as it closes (not for the last one: see finish).
    public var onInterval: ((Aggregator, Int) -> Void)?

    /// The episodes a thread has open, as its records imply, and the time of
    /// each already given to closed intervals.
    struct Episodes {
        var tgid: UInt32 = 0
        var onSince: UInt64?
        var offSince: UInt64?
        var offState: UInt32 = 0
        var waitSince: UInt64?
        var carryOn: UInt64 = 0
        var carryOff: UInt64 = 0
        var carryWait: UInt64 = 0
        /// Time closed intervals gave beyond what the records then showed.
        var debtOn: UInt64 = 0
        var debtOff: UInt64 = 0
        var debtWait: UInt64 = 0
    }

    /// With --count N: the N-th interval is the last, and runs to the end.
    public let limit: Int?
    private var openedCount = 1

    public init(runStart: UInt64, interval: UInt64? = nil, limit: Int? = nil) {
        self.runStart = runStart
        self.interval = interval.flatMap { $0 > 0 ? $0 : nil }
        self.limit = limit
        // (A crafted recording may start near the clock's end: no overflow.)
        let first = Aggregator(windowStart: runStart,
                               windowEnd: self.interval.flatMap { runStart <= .max - $0 ? runStart + $0 : nil })
        first.runStart = runStart
        open = [first]
        single = self.interval == nil ? first : nil
    }

    /// The only window, when there are no intervals.
    private let single: Aggregator?

    /// A session of one window that already holds records (folded into it
    /// directly), so that it ends the way every run ends: `finish`.
    public init(window: Aggregator) {
        runStart = window.runStart ?? window.windowStart
        interval = nil
        limit = nil
        open = [window]
        single = window
    }

    public var current: Aggregator { open[open.count - 1] }

    /// A thread that exists when tracing starts. `state`: its state then
    /// (from /proc); the kernel side counts it off-core in that state from the
    /// window's start until its first switch, and so does the tracker. nil:
    /// not known (the thread's intervals then begin at its first record).
    public func addThread(tid: UInt32, tgid: UInt32, comm: String, state: OffState?) {
        for a in open { a.addThread(tid: tid, tgid: tgid, comm: comm) }
        if let state, tracker[tid] == nil {
            tracker[tid] = Episodes(tgid: tgid, offSince: runStart, offState: UInt32(state.rawValue))
        }
    }

    /// Closes the intervals that ended more than `grace` before `now` (live
    /// runs call this after each drain, with the time taken before it).
    public func tick(now: UInt64) {
        while let first = open.first, let end = first.windowEnd, now > end, now - end > Session.grace {
            if open.count == 1 { openNext() }
            if open.count == 1 { break } // the last interval (--count) stays open
            closeOldest()
        }
    }

    private func openNext() {
        guard let interval, let end = current.windowEnd else { return }
        if let limit, openedCount >= limit {
            current.windowEnd = nil // the last interval: it ends with the run
            return
        }
        guard end <= .max - interval else {
            current.windowEnd = nil // the last interval: it ends with the run
            return
        }
        openedCount += 1
        let next = Aggregator(windowStart: end, windowEnd: end + interval)
        next.runStart = runStart
        for t in current.threads.values where t.exit == nil || t.exit! > end { next.inherit(t) }
        open.append(next)
    }

    /// The open window whose span holds ts (the last one if ts is later).
    private func window(for ts: UInt64) -> Aggregator {
        if interval != nil {
            while let end = current.windowEnd, ts > end { openNext() }
        }
        for a in open where ts <= (a.windowEnd ?? .max) { return a }
        return current
    }

    /// One ring-buffer sample: one record, or the records of one context
    /// switch sent together.
    @inline(__always)
    public func fold(bytes: UnsafeRawPointer, count: Int) {
        guard count >= Record.size, count % Record.size == 0 else {
            current.fold(bytes: bytes, count: count)
            return
        }
        var at = 0
        while at < count {
            fold((bytes + at).loadUnaligned(as: Record.self))
            at += Record.size
        }
    }

    public func fold(_ r: Record) {
        // One window for the whole run: nothing to split at boundaries, so
        // no tracker (the live consumer's hot path).
        if let single { single.fold(r); return }
        tick(now: r.ts)
        guard let kind = r.kind, kind == .slice || kind == .offCore || kind == .wait else {
            let home = window(for: r.ts)
            home.foldEvent(r)
            if let k = r.kind, k == .newThread || k == .exit || k == .exec {
                var later = false
                for a in open { if later { a.noteThread(r) } else if a === home { later = true } }
                switch k {
                case .newThread where tracker[r.tid] == nil:
                    // Off-core (runnable) from its creation, as the kernel seeds it.
                    tracker[r.tid] = Episodes(tgid: r.tgid, offSince: r.ts, offState: UInt32(OffState.preempted.rawValue))
                case .exit:
                    // Its last switch-out came just before: nothing of it stays open.
                    tracker[r.tid] = nil
                default: break
                }
            }
            return
        }
        let (start, length) = Aggregator.length(of: r, origin: runStart)
        var e = tracker[r.tid] ?? Episodes()
        e.tgid = r.tgid
        var rest: UInt64
        switch kind {
        case .slice:
            // Off-core time given to closed intervals that no off-core record ended is owed.
            if e.offSince != nil { e.debtOff &+= e.carryOff; e.carryOff = 0 }
            rest = Self.settle(length, carry: &e.carryOn, debt: &e.debtOn)
            e.onSince = nil; e.offSince = r.ts; e.offState = r.aux
            if r.aux == UInt32(OffState.preempted.rawValue) {
                if e.waitSince != nil { e.debtWait &+= e.carryWait; e.carryWait = 0 }
                e.waitSince = r.ts
            }
        case .offCore:
            if e.onSince != nil { e.debtOn &+= e.carryOn; e.carryOn = 0 }
            rest = Self.settle(length, carry: &e.carryOff, debt: &e.debtOff)
            e.offSince = nil; e.onSince = r.ts
        default:
            rest = Self.settle(length, carry: &e.carryWait, debt: &e.debtWait)
            e.waitSince = nil
        }
        tracker[r.tid] = e
        // Open windows before the one it ends in take their part by timestamps
        // (never more than what is left of its length); the window it ends in
        // takes the rest, so the parts add up to exactly its length.
        let home = window(for: r.ts)
        for a in open where a !== home {
            guard let end = a.windowEnd, end < r.ts else { break }
            let from = max(start, a.windowStart)
            let part = min(rest, end > from ? end - from : 0)
            if part > 0 { a.account(r, portion: part, length: nil) }
            rest -= part
        }
        home.account(r, portion: rest, length: length)
    }

    /// What an episode of `length` gives the windows still open: its length
    /// less what closed windows already took (`carry`), less what the thread
    /// owes from earlier episodes of this kind; a carry beyond the length
    /// becomes owed.
    static func settle(_ length: UInt64, carry: inout UInt64, debt: inout UInt64) -> UInt64 {
        defer { carry = 0 }
        guard length >= carry else {
            debt &+= carry - length
            return 0
        }
        let rest = length - carry
        let pay = min(debt, rest)
        debt -= pay
        return rest - pay
    }

    /// Gives the oldest window the parts of the episodes still open at its end.
    private func closeOldest() {
        let a = open.removeFirst()
        guard let end = a.windowEnd else { return }
        for (tid, var e) in tracker {
            let tgid = e.tgid
            func part(_ since: UInt64?) -> UInt64 {
                guard let since, since < end else { return 0 }
                return end - max(since, a.windowStart)
            }
            let on = part(e.onSince), off = part(e.offSince), wait = part(e.waitSince)
            if on > 0 { a.account(Record(kind: .slice, ts: end, tid: tid, tgid: tgid), portion: on, length: nil) }
            if off > 0 {
                a.account(Record(kind: .offCore, ts: end, aux: e.offState, tid: tid, tgid: tgid), portion: off, length: nil)
            }
            if wait > 0 { a.account(Record(kind: .wait, ts: end, tid: tid, tgid: tgid), portion: wait, length: nil) }
            e.carryOn &+= on; e.carryOff &+= off; e.carryWait &+= wait
            tracker[tid] = e
        }
        closedCount += 1
        onInterval?(a, closedCount - 1)
    }

    /// Ends the run at `end`: closes the intervals before it, then the last
    /// window with the episodes the kernel still has open. Returns the last
    /// window and its index.
    @discardableResult
    public func finish(at end: UInt64, open kernelOpen: [(tid: UInt32, state: thief_tstate)],
                       untouchedOnCore: [UInt32: UInt64] = [:]) -> (Aggregator, Int) {
        if interval != nil {
            _ = window(for: end)
            while open.count > 1 { closeOldest() }
        }
        let last = current
        last.windowEnd = end
        let before = last.records
        for (tid, s) in kernelOpen {
            if let on = untouchedOnCore[tid] {
                // No event in the whole run: on-core `on` ns by the kernel's
                // books, off-core in its seed state the rest of the run. Closed
                // intervals already counted it off-core (the tracker's seed):
                // the last window gets what remains, within its span.
                let e = tracker.removeValue(forKey: tid) ?? Episodes()
                let whole = end > runStart ? end - runStart : 0
                let onWhole = min(on, whole), offWhole = whole - onWhole
                let span = end > last.windowStart ? end - last.windowStart : 0
                let onNs = min(onWhole - min(onWhole, e.carryOn), span)
                let offNs = min(offWhole - min(offWhole, e.carryOff), span - onNs)
                if onNs > 0 {
                    last.account(Record(kind: .slice, ts: end, start: last.windowStart, cpu: s.on_cpu, tid: tid, tgid: s.tgid),
                                 portion: onNs, length: onNs)
                }
                if offNs > 0 {
                    last.account(Record(kind: .offCore, ts: end, aux: UInt32(s.off_state), tid: tid, tgid: s.tgid),
                                 portion: offNs, length: offNs)
                }
                continue
            }
            if s.running != 0 {
                fold(Record(kind: .slice, ts: end, start: s.on_ts, dur: 0, cpu: s.on_cpu, tid: tid, tgid: s.tgid))
            } else {
                fold(Record(kind: .offCore, ts: end, start: s.off_ts, aux: UInt32(s.off_state), tid: tid, tgid: s.tgid))
            }
            if s.waiting != 0 {
                fold(Record(kind: .wait, ts: end, start: s.wait_ts, tid: tid, tgid: s.tgid))
            }
        }
        last.adjustRecords(by: before)
        return (last, closedCount)
    }
}
