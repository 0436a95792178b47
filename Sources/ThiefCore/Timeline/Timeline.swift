/// The one per-thread state machine: turns the episode events of the stream
/// (a slice, an off-core interval or a wait ended), the seeds of the threads
/// that existed at the start, and what the kernel still holds open at the
/// end into episodes with the part each window gets. Live runs, interval
/// splitting and replays all go through it.
///
/// With one window for the whole run, an episode's part is all of it and
/// nothing needs remembering (the consumer's hot path). With intervals, the
/// timeline remembers each thread's open episodes, so that a window closing
/// mid-episode gets its part (`openParts`), and the episode's end gives the
/// later windows the rest: the parts add up to exactly its length. Time a
/// closed window gave to an episode that its event then shows shorter (a
/// slice's se.sum_exec_runtime growth is less than its timestamps' span when
/// IRQ or steal time is excluded), or that no event ever ended, is owed:
/// the thread's next episodes of that kind give it back.
///
/// Two clocks, one thread time (ARCHITECTURE.md, "Two clocks"): an exact
/// slice lasts its se.sum_exec_runtime growth, which differs from its
/// timestamps' span by a few µs; the kernel's clock wins, and the thread's
/// next off-core interval starts where it says the slice ended (`ahead`), so
/// that on-core + off-core equals the thread's time in the window exactly.
/// What no off-core interval absorbed moves the thread's exit, or is taken
/// from the slice still open at the end.
struct Timeline {
    let runStart: UInt64
    /// Remember open episodes (interval mode).
    let splits: Bool
    private var open: [UInt32: OpenEpisodes] = [:]
    /// Per thread: ns the kernel's clock put its last switch-out after the
    /// switch-out's timestamp (negative: before), not yet given to an
    /// off-core interval. An entry per live thread, kept until its exit.
    private var ahead: [UInt32: Int64] = [:]

    /// The episodes a thread has open, and the time of each already given to closed windows.
    struct OpenEpisodes {
        var tgid: UInt32 = 0
        var onSince: UInt64?
        var offSince: UInt64?
        var offState = OffState.preempted
        var waitSince: UInt64?
        /// Where the open slice runs (its switch-in's CPU), and where the
        /// open wait waits (the CPU it was preempted on): an interval that
        /// closes mid-episode gives its part to that CPU.
        var onCPU: UInt16 = 0
        var waitCPU: UInt16 = 0
        var carryOn: UInt64 = 0
        var carryOff: UInt64 = 0
        var carryWait: UInt64 = 0
        /// Time closed windows gave beyond what the events then showed.
        var debtOn: UInt64 = 0
        var debtOff: UInt64 = 0
        var debtWait: UInt64 = 0
    }

    /// An episode that ended: its length, and what the windows still open get of it.
    struct Ended {
        var episode: Episode
        var length: UInt64
        var rest: UInt64
        /// False for a seed's off-core interval or wait that the kernel closed at
        /// or before the start (a thread running when tracing began: its seed
        /// state ends at its switch-in, before the start): no episode of the run.
        var counts: Bool
    }

    init(runStart: UInt64, splits: Bool) {
        self.runStart = runStart
        self.splits = splits
    }

    /// A thread that exists at the start: off-core in its /proc state from the start, as the kernel side seeds it.
    mutating func seed(_ s: ThreadSeed) {
        guard splits, let state = s.state, open[s.tid] == nil else { return }
        open[s.tid] = OpenEpisodes(tgid: s.tgid, offSince: runStart, offState: state)
    }

    /// A thread born during the run: off-core (runnable) from its creation, as the kernel side seeds it.
    mutating func born(_ c: ThreadChange) {
        guard splits, open[c.tid] == nil else { return }
        open[c.tid] = OpenEpisodes(tgid: c.tgid, offSince: c.time, offState: .preempted)
    }

    /// Its last switch-out came just before: nothing of it stays open.
    mutating func exited(_ c: ThreadChange) {
        if splits { open[c.tid] = nil }
    }

    /// The episode an event ends; nil for any other event.
    @inline(__always)
    mutating func end(_ event: Event) -> Ended? {
        let kind: Episode.Kind, tid: UInt32, tgid: UInt32, cpu: UInt16, from: UInt64, to: UInt64
        var ran: UInt64 = 0, next = OffState.other, contended: UInt64 = 0, waiter: UInt32 = 0
        var causes = WaitCauses.Measured(), queue: UInt32 = 0
        switch event {
        case .slice(let s):
            (kind, tid, tgid, cpu, from, to, ran, next) = (.onCore, s.tid, s.tgid, s.cpu, s.start, s.end, s.ran, s.next)
            (contended, waiter) = (s.contended, s.waiter)
        case .offCore(let o):
            (kind, tid, tgid, cpu, from, to) = (.offCore(o.state), o.tid, o.tgid, o.cpu, o.start, o.end)
        case .wait(let w):
            (kind, tid, tgid, cpu, from, to) = (.wait, w.tid, w.tgid, w.cpu, w.start, w.end)
            (causes, queue) = (w.causes, w.queueCPU)
        default: return nil
        }
        // Clipped to the run's start; an exact slice (its start traced, inside
        // the run) counts its se.sum_exec_runtime growth, anything else its timestamps.
        var start = max(from, runStart)
        var length = to > start ? to - start : 0
        var switchAt = to
        if kind != .wait {
            // One lookup of the thread's entry (the hot path); a new thread's is made once.
            let i: Dictionary<UInt32, Int64>.Index
            if let found = ahead.index(forKey: tid) {
                i = found
            } else {
                ahead[tid] = 0
                i = ahead.index(forKey: tid)!
            }
            var a = ahead.values[i]
            if kind == .onCore, from >= runStart, ran > 0 {
                // The kernel's clock wins; the difference moves the next switch-out.
                start = Self.shifted(start, by: a)
                a = min(Self.add(a, Self.difference(ran, length)), Self.maxAhead)
                length = ran
            } else if a != 0 {
                // Timestamps: this episode starts where the kernel's clock ended the last slice.
                (start, length, a) = Self.absorb(a, start: start, to: to)
            }
            ahead.values[i] = a
            // Where it ends on the thread's clock: the window it belongs to, and where the next begins.
            switchAt = Self.shifted(to, by: a)
        }
        let rest =
            splits
            ? settle(kind, tid: tid, tgid: tgid, cpu: cpu, length: length, end: to, next: next, switchAt: switchAt)
            : length
        return Ended(
            episode: Episode(
                kind: kind, tid: tid, tgid: tgid, cpu: cpu, start: start, end: switchAt, contended: contended,
                waiter: waiter,
                causes: causes, queueCPU: queue),
            length: length,
            rest: rest, counts: !(length == 0 && from == 0 && kind != .onCore))
    }

    /// The most the kernel's clock may run ahead of the timestamps: the two
    /// differ by µs a slice (where its clock is read), so more is a crafted
    /// recording, and carrying it would move times (and open intervals) far
    /// past the run.
    static let maxAhead: Int64 = 1_000_000

    /// `ran - span` as an Int64, clamped.
    static func difference(_ ran: UInt64, _ span: UInt64) -> Int64 {
        ran >= span ? Int64(clamping: ran - span) : -Int64(clamping: span - ran)
    }

    static func add(_ a: Int64, _ b: Int64) -> Int64 {
        let (sum, over) = a.addingReportingOverflow(b)
        return over ? (b > 0 ? .max : .min) : sum
    }

    /// An episode from `start` to `to` (timestamps) that begins `a` ns later
    /// (earlier when negative) on the kernel's clock: its start, its length,
    /// and what is still ahead when it is shorter than that.
    static func absorb(_ a: Int64, start: UInt64, to: UInt64) -> (UInt64, UInt64, Int64) {
        let span = to > start ? to - start : 0
        if a < 0 {
            let earlier = a.magnitude
            return (start >= earlier ? start - earlier : 0, span.plus(earlier), 0)
        }
        let later = min(UInt64(a), span)
        return (start + later, span - later, a - Int64(later))
    }

    /// A thread's exit, where the kernel's clock ended its last slice; it
    /// leaves the timeline.
    mutating func exit(_ c: ThreadChange) -> ThreadChange {
        guard let a = ahead.removeValue(forKey: c.tid), a != 0 else { return c }
        var moved = c
        moved.time = Self.shifted(c.time, by: a)
        return moved
    }

    /// A timestamp moved by `a` ns (clamped to the clock's range).
    static func shifted(_ t: UInt64, by a: Int64) -> UInt64 {
        a < 0 ? t - min(t, a.magnitude) : t.plus(UInt64(a))
    }

    /// Moves the thread's state machine past an episode's end; returns what the open windows get.
    /// `switchAt`: the switch that ends it, on the thread's clock (the kernel's
    /// for its slices): where the episode it starts begins for closing windows.
    private mutating func settle(
        _ kind: Episode.Kind, tid: UInt32, tgid: UInt32, cpu: UInt16, length: UInt64, end: UInt64, next: OffState,
        switchAt: UInt64
    ) -> UInt64 {
        var e = open[tid] ?? OpenEpisodes()
        e.tgid = tgid
        let rest: UInt64
        switch kind {
        case .onCore:
            // Off-core time given to closed windows that no off-core event ended is owed.
            if e.offSince != nil {
                e.debtOff &+= e.carryOff
                e.carryOff = 0
            }
            rest = Self.settle(length, carry: &e.carryOn, debt: &e.debtOn)
            e.onSince = nil
            e.offSince = switchAt
            e.offState = next
            if next == .preempted {
                if e.waitSince != nil {
                    e.debtWait &+= e.carryWait
                    e.carryWait = 0
                }
                e.waitSince = end
                e.waitCPU = cpu
            }
        case .offCore:
            if e.onSince != nil {
                e.debtOn &+= e.carryOn
                e.carryOn = 0
            }
            rest = Self.settle(length, carry: &e.carryOff, debt: &e.debtOff)
            e.offSince = nil
            e.onSince = switchAt
            e.onCPU = cpu
        case .wait:
            rest = Self.settle(length, carry: &e.carryWait, debt: &e.debtWait)
            e.waitSince = nil
        }
        open[tid] = e
        return rest
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

    /// The parts of the open episodes that fall in a window closing at
    /// `end`; they become carry, for the episodes' ends to subtract.
    mutating func openParts(from start: UInt64, to end: UInt64) -> [(Episode, UInt64)] {
        var parts: [(Episode, UInt64)] = []
        for (tid, var e) in open {
            func part(_ since: UInt64?) -> UInt64 {
                guard let since, since < end else { return 0 }
                return end - max(since, start)
            }
            let on = part(e.onSince), off = part(e.offSince), wait = part(e.waitSince)
            func episode(_ kind: Episode.Kind, cpu: UInt16 = 0) -> Episode {
                Episode(kind: kind, tid: tid, tgid: e.tgid, cpu: cpu, start: start, end: end)
            }
            if on > 0 { parts.append((episode(.onCore, cpu: e.onCPU), on)) }
            if off > 0 { parts.append((episode(.offCore(e.offState)), off)) }
            if wait > 0 { parts.append((episode(.wait, cpu: e.waitCPU), wait)) }
            e.carryOn &+= on
            e.carryOff &+= off
            e.carryWait &+= wait
            open[tid] = e
        }
        return parts
    }

    /// The events that end what the kernel holds open for a thread at the run's end.
    func closing(_ k: KernelOpenThread, at end: UInt64) -> [Event] {
        var out: [Event] = []
        if k.running {
            out.append(
                .slice(
                    SliceEnded(tid: k.tid, tgid: k.tgid, cpu: k.onCPU, start: k.onTs, end: end, ran: 0, next: .other)))
        } else {
            out.append(
                .offCore(OffCoreEnded(tid: k.tid, tgid: k.tgid, cpu: 0, start: k.offTs, end: end, state: k.offState)))
        }
        if k.waiting {
            // It never switched in: it goes to the CPU whose queue it waits on.
            out.append(
                .wait(
                    WaitEnded(
                        tid: k.tid, tgid: k.tgid, cpu: k.waitCPU, queueCPU: UInt32(k.waitCPU), start: k.waitTs,
                        end: end)))
        }
        return out
    }

    /// A thread no event touched in the whole run: on-core `onCore` ns by the
    /// kernel's books, off-core in its seed state the rest of the run. Closed
    /// windows already counted it off-core (its seed): the last window, which
    /// spans [windowStart, end], gets what remains, as whole episodes.
    mutating func untouched(
        _ k: KernelOpenThread, onCore: UInt64, windowStart: UInt64, end: UInt64
    ) -> [(Episode, UInt64)] {
        let e = open.removeValue(forKey: k.tid) ?? OpenEpisodes()
        let whole = end > runStart ? end - runStart : 0
        let onWhole = min(onCore, whole), offWhole = whole - onWhole
        let span = end > windowStart ? end - windowStart : 0
        let onNs = min(onWhole - min(onWhole, e.carryOn), span)
        let offNs = min(offWhole - min(offWhole, e.carryOff), span - onNs)
        var out: [(Episode, UInt64)] = []
        if onNs > 0 {
            out.append(
                (Episode(kind: .onCore, tid: k.tid, tgid: k.tgid, cpu: k.onCPU, start: windowStart, end: end), onNs))
        }
        if offNs > 0 {
            out.append(
                (
                    Episode(kind: .offCore(k.offState), tid: k.tid, tgid: k.tgid, cpu: 0, start: windowStart, end: end),
                    offNs
                ))
        }
        return out
    }
}
