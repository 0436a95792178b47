/// Turns one run's record stream into reports: one for the whole run, or one
/// per interval. The same code serves a live run and the replay of a
/// recording, so both produce the same numbers from the same records.
///
/// Records are decoded once into events (`EventDecoder`); episode events go
/// through the `Timeline`, which says which part of each belongs to which
/// window; every other event goes to the window in which it happened.
/// Interval accounting is exact: the time of an episode that spans a boundary
/// is split there, and the intervals' totals add up to the whole run's to the
/// nanosecond. Counts, histograms and percentiles describe the episodes that
/// ended in an interval, at their full length. Thieves, interrupts and
/// migrations count in the interval in which they end.
public final class Session {
    public let runStart: UInt64
    public let interval: UInt64?
    /// How long after its end an interval waits for late records.
    public static let grace: UInt64 = 50_000_000
    /// With --count N: the N-th interval is the last, and runs to the end.
    public let limit: Int?
    /// The run's CPU topology (nil: unknown), handed to every window.
    public let topology: Topology?

    /// Windows still open, oldest first; the last one is current.
    public private(set) var open: [Window] = []
    private var closedCount = 0
    private var openedCount = 1
    private var timeline: Timeline
    private let decoder: EventDecoder
    /// The only window, when there are no intervals.
    private let single: Window?
    /// Called with each interval as it closes (not for the last one: see finish).
    public var onInterval: ((Window, Int) -> Void)?
    /// Sees every event the windows do, in order (a Perfetto trace).
    public var observer: ((Event) -> Void)?
    /// How long after its exit a thread is folded into its process's exited
    /// threads (nil: never; the tests compare both).
    var foldThreadsAfter: UInt64? = Threads().foldAfter {
        didSet { for w in open { w.threads.foldAfter = foldThreadsAfter } }
    }

    /// `abiVersion`: the layout of the records to come (a recording's may be older).
    public init(
        runStart: UInt64, interval: UInt64? = nil, limit: Int? = nil, abiVersion: Int = Record.abiVersion,
        topology: Topology? = nil
    ) {
        self.runStart = runStart
        self.topology = topology
        self.interval = interval.flatMap { $0 > 0 ? $0 : nil }
        self.limit = limit
        decoder = EventDecoder(abiVersion: abiVersion)
        timeline = Timeline(runStart: runStart, splits: self.interval != nil)
        // (A crafted recording may start near the clock's end: no overflow.)
        let first = Window(start: runStart, end: self.interval.flatMap { runStart <= .max - $0 ? runStart + $0 : nil })
        first.runStart = runStart
        first.topology = topology
        open = [first]
        single = self.interval == nil ? first : nil
    }

    /// A session of one window that already holds events, so that it ends
    /// the way every run ends: `finish`. Its timeline is new: the clock
    /// differences the window's thread accounts keep for the timeline are
    /// not carried into it.
    public init(window: Window) {
        window.threads.forgetClocks()
        runStart = window.runStart ?? window.start
        interval = nil
        limit = nil
        topology = window.topology
        decoder = EventDecoder()
        timeline = Timeline(runStart: runStart, splits: false)
        open = [window]
        single = window
    }

    public var current: Window { open[open.count - 1] }

    /// A thread that exists when tracing starts.
    public func addThread(_ seed: ThreadSeed) {
        for w in open { w.addThread(tid: seed.tid, tgid: seed.tgid, comm: seed.comm) }
        timeline.seed(seed)
    }

    // MARK: The stream

    /// One ring-buffer sample: one record, or the records of one context switch sent together.
    @inline(__always)
    public func fold(bytes: UnsafeRawPointer, count: Int) {
        guard count >= Record.size, count % Record.size == 0 else {
            current.unknownRecords += 1
            return
        }
        var at = 0
        while at < count {
            fold(record: bytes + at)
            at += Record.size
        }
    }

    /// One record (Record.size bytes at `p`): counted in the window it ends in, then consumed.
    @inline(__always)
    public func fold(record p: UnsafeRawPointer) {
        guard let event = decoder.decode(p) else {
            if single == nil { tick(now: EventDecoder.time(p)) }
            let home = single ?? window(for: EventDecoder.time(p))
            home.records += 1
            home.unknownRecords += 1
            return
        }
        consume(event, counted: true)
    }

    /// An event, from the stream (`counted`) or from the kernel's state at the end.
    @inline(__always)
    func consume(_ event: Event, counted: Bool) {
        observer?(event)
        var event = event
        if case .threadExit(let c) = event {
            // Where the kernel's clock ended its last slice.
            let ahead = single?.threads.takeAhead(c.tid) ?? timeline.takeAhead(c.tid)
            event = .threadExit(Timeline.exit(c, ahead: ahead))
        }
        if let single {
            if counted { single.records += 1 }
            if !single.foldEpisode(event, runStart: runStart) { single.consume(event) }
            return
        }
        tick(now: event.time)
        if let e = timeline.end(event) {
            split(e, counted: counted)
        } else {
            let home = window(for: event.time)
            if counted { home.records += 1 }
            home.consume(event)
            noteThreadChange(event, after: home)
        }
    }

    /// Open windows before the one an episode ends in take their part by
    /// timestamps (never more than what is left of it); the window it ends in
    /// takes the rest, so the parts add up to exactly the rest.
    private func split(_ e: Timeline.Ended, counted: Bool) {
        let home = window(for: e.episode.end)
        if counted { home.records += 1 }
        guard e.counts else { return }
        var rest = e.rest
        for w in open where w !== home {
            guard let end = w.end, end < e.episode.end else { break }
            let from = max(e.episode.start, w.start)
            let part = min(rest, end > from ? end - from : 0)
            if part > 0 { w.consume(e.episode, portion: part, length: nil) }
            rest -= part
        }
        home.consume(e.episode, portion: rest, length: e.length)
    }

    /// A birth, exit or exec is news to the windows open after the one it
    /// happened in too; births and exits move the timeline.
    private func noteThreadChange(_ event: Event, after home: Window) {
        switch event {
        case .threadBorn(let c): timeline.born(c)
        case .threadExit(let c): timeline.exited(c)
        case .threadExec: break
        default: return
        }
        var later = false
        for w in open {
            if later { w.note(event) } else if w === home { later = true }
        }
    }

    // MARK: Windows

    /// Closes the intervals that ended more than `grace` before `now` (live
    /// runs call this after each drain, with the time taken before it).
    public func tick(now: UInt64) {
        while let first = open.first, let end = first.end, now > end, now - end > Session.grace {
            if open.count == 1 { openNext() }
            if open.count == 1 { break }  // the last interval (--count) stays open
            closeOldest()
        }
    }

    private func openNext() {
        guard let interval, let end = current.end else { return }
        guard limit.map({ openedCount < $0 }) ?? true, end <= .max - interval else {
            current.end = nil  // the last interval: it ends with the run
            return
        }
        openedCount += 1
        let next = Window(start: end, end: end + interval)
        next.runStart = runStart
        next.identities = current.identities
        next.topology = topology
        next.threads.foldAfter = foldThreadsAfter
        for t in current.threads.values where t.exit == nil || t.exit! > end { next.threads.inherit(t) }
        next.worstWaits = current.worstWaits.successor()
        open.append(next)
    }

    /// The open window whose span holds ts (the last one if ts is later).
    private func window(for ts: UInt64) -> Window {
        if interval != nil {
            while let end = current.end, ts > end { openNext() }
        }
        for w in open where ts <= (w.end ?? .max) { return w }
        return current
    }

    /// Gives the oldest window the parts of the episodes still open at its end.
    private func closeOldest() {
        let w = open.removeFirst()
        guard let end = w.end else { return }
        for (episode, portion) in timeline.openParts(from: w.start, to: end) {
            w.consume(episode, portion: portion, length: nil)
        }
        closedCount += 1
        onInterval?(w, closedCount - 1)
    }

    // MARK: The end

    /// Ends the run at `end`: closes the intervals before it, then the last
    /// window with the episodes the kernel still holds open. `untouchedOnCore`:
    /// the on-core ns (from the kernel's books) of threads no event touched.
    /// Returns the last window and its index.
    @discardableResult
    public func finish(at end: UInt64, open kernelOpen: [KernelOpenThread], untouchedOnCore: [UInt32: UInt64] = [:])
        -> (Window, Int)
    {
        if interval != nil {
            _ = window(for: end)
            while open.count > 1 { closeOldest() }
        }
        let last = current
        // (An exit moved to the kernel's clock may have opened it a few µs past the end.)
        last.end = max(end, last.start)
        for k in kernelOpen {
            if let on = untouchedOnCore[k.tid] {
                for (episode, ns) in timeline.untouched(k, onCore: on, windowStart: last.start, end: end) {
                    last.consume(episode, portion: ns, length: ns)
                }
                continue
            }
            for event in timeline.closing(k, at: end) { consume(event, counted: false) }
        }
        // What the kernel's clock ran past the end, that no episode absorbed,
        // moves the thread's row end, as it moves an exit.
        last.threads.endClocks(at: last.end ?? end, ahead: single == nil ? timeline.aheadAtEnd() : [:])
        return (last, closedCount)
    }
}

extension Session {
    /// A thread that exists when tracing starts; `state` nil: not known.
    public func addThread(tid: UInt32, tgid: UInt32, comm: String, state: OffState?) {
        addThread(ThreadSeed(tid: tid, tgid: tgid, comm: comm, state: state))
    }
}
