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
/// from the slice still open at the end. That difference costs no lookup of
/// its own: with one window it is a field of the thread's account in the
/// window's `Threads` (`Window.foldEpisode` finds the account once for
/// both), with intervals a field of the thread's entry in `open`.
struct Timeline {
    let runStart: UInt64
    /// Remember open episodes (interval mode).
    let splits: Bool
    /// Interval mode: per thread, its open episodes and its clock difference.
    private var open: [UInt32: OpenEpisodes] = [:]

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
        /// ns the kernel's clock put the thread's last switch-out after the
        /// switch-out's timestamp (negative: before), not yet given to an
        /// off-core interval (with one window, `Threads.Account.ahead`).
        var ahead: Int64 = 0
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

    /// Intervals: the episode an event ends; nil for any other event. The
    /// thread's open episodes and its clock difference share one entry, so
    /// one lookup serves both.
    @inline(__always)
    mutating func end(_ event: Event) -> Ended? {
        guard let x = Ending(event) else { return nil }
        let i = entry(x.episode.tid)
        var e = Self.measure(x, runStart: runStart, ahead: &open.values[i].ahead)
        e.rest = Self.settle(&open.values[i], x, length: e.length, switchAt: e.episode.end)
        return e
    }

    /// The index of a thread's entry in `open`, made on its first episode.
    @inline(__always)
    private mutating func entry(_ tid: UInt32) -> Dictionary<UInt32, OpenEpisodes>.Index {
        if let i = open.index(forKey: tid) { return i }
        open[tid] = OpenEpisodes()
        return open.index(forKey: tid)!
    }

    /// At the run's end, after what the kernel held open was closed: the
    /// threads whose kernel clock is still ahead, by how much.
    func aheadAtEnd() -> [UInt32: Int64] {
        open.filter { $0.value.ahead > 0 }.mapValues(\.ahead)
    }

    /// Its clock difference, handed to its exit (and forgotten: a tid may be used again).
    mutating func takeAhead(_ tid: UInt32) -> Int64 {
        guard let i = open.index(forKey: tid) else { return 0 }
        defer { open.values[i].ahead = 0 }
        return open.values[i].ahead
    }

    /// Moves the thread's state machine past an episode's end; returns what the open windows get.
    /// `switchAt`: the switch that ends it, on the thread's clock (the kernel's
    /// for its slices): where the episode it starts begins for closing windows.
    private static func settle(_ e: inout OpenEpisodes, _ x: Ending, length: UInt64, switchAt: UInt64) -> UInt64 {
        let (end, cpu, next) = (x.episode.end, x.episode.cpu, x.next)
        e.tgid = x.episode.tgid
        let rest: UInt64
        switch x.episode.kind {
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
