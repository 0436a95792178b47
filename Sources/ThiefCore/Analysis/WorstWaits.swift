/// The window's longest runnable waits (`--worst N`), each with what held
/// its CPU meanwhile, in time order: like rtla's auto-analysis, for any
/// thread. Every steal, contended slice and interrupt goes into its CPU's
/// ring (`StretchRings`, shared by the run's windows); a wait that ends
/// longer than the N-th longest so far takes the ring's stretches inside it.
/// Only N waits are kept: memory is bounded by N and the rings' capacity.
public struct WorstWaits: Analysis {
    public static let defaultLimit = 5
    /// The most `--worst` takes.
    public static let maxLimit = 100

    /// One of the longest waits, as it ended.
    public struct Entry: Sendable {
        public var tid: UInt32
        public var tgid: UInt32
        public var cpu: UInt16
        public var queueCPU: UInt32
        public var start: UInt64
        public var end: UInt64
        public var length: UInt64
        public var causes: WaitCauses
        /// Who woke it (a `Wakeup` with its tid and end), if anyone did.
        public var wakeup: Wakeup?
        /// Clipped to the wait, in time order; a target's time less the interrupts inside it.
        public var stretches: [WaitStretch]
        public var truncated: Bool
    }

    /// How many to keep (0: none).
    public var limit = WorstWaits.defaultLimit
    let rings: StretchRings
    /// Longest first; ties: the earlier stays ahead.
    public private(set) var top: [Entry] = []
    /// Names of the kept waits' threads that were folded away (Threads+Folding).
    private(set) var names: [UInt32: String] = [:]
    /// The last wait to enter `top`: the wakeup record right after it is its waker.
    private var lastEntered: (tid: UInt32, end: UInt64)?

    public init() { rings = StretchRings() }

    /// The next interval's: the same limit and rings, no waits yet.
    func successor() -> WorstWaits {
        var next = WorstWaits(rings: rings)
        next.limit = limit
        return next
    }

    private init(rings: StretchRings) { self.rings = rings }

    @inline(__always)
    public mutating func consume(_ event: Event, in span: WindowSpan) {
        switch event {
        case .steal(let s): rings.push(WaitStretch(s), cpu: UInt32(s.cpu))
        case .interrupt(let i): if let s = WaitStretch(i) { rings.push(s, cpu: UInt32(i.cpu)) }
        case .wakeup(let w): attach(w)
        default: break
        }
    }

    @inline(__always)
    public mutating func consume(_ e: Episode, portion: UInt64, length: UInt64?) {
        guard let length else { return }
        switch e.kind {
        case .onCore: rings.sliceEnded(e)
        case .wait:
            if limit > 0, length > 0, top.count < limit || length > top[top.count - 1].length { enter(e, length) }
        case .offCore: break
        }
    }

    private mutating func enter(_ e: Episode, _ length: UInt64) {
        let (list, truncated) = rings.stretches(cpu: e.queueCPU, from: e.start, to: e.end)
        let entry = Entry(
            tid: e.tid, tgid: e.tgid, cpu: e.cpu, queueCPU: e.queueCPU, start: e.start, end: e.end, length: length,
            causes: WaitCauses(length: length, measured: e.causes), wakeup: nil,
            stretches: Self.settle(list), truncated: truncated)
        let at = top.firstIndex { $0.length < length } ?? top.count
        top.insert(entry, at: at)
        if top.count > limit { top.removeLast() }
        lastEntered = (e.tid, e.end)
    }

    /// A thread about to be folded: its name, if a kept wait shows it.
    mutating func remember(tid: UInt32, comm: String?) {
        guard let comm, !comm.isEmpty else { return }
        let shown = top.contains { e in e.tid == tid || e.stretches.contains { $0.kind == .target && $0.id == tid } }
        if shown { names[tid] = comm }
    }

    private mutating func attach(_ w: Wakeup) {
        guard let last = lastEntered, last.tid == w.tid, last.end == w.end else { return }
        lastEntered = nil
        if let i = top.firstIndex(where: { $0.tid == w.tid && $0.end == w.end }) { top[i].wakeup = w }
    }

    /// Makes the stretches add up to no more than the wait: a run that the
    /// kernel's sums stretch back over the one before (a task that ran in
    /// two parts of a wait) starts where that one ended, and an interrupt
    /// takes its time out of the target's stretch it ran in (one outside
    /// any is dropped: its time is in no stretch the CPU reported).
    static func settle(_ list: [WaitStretch]) -> [WaitStretch] {
        var out: [WaitStretch] = []
        out.reserveCapacity(list.count)
        var lastEnd: UInt64 = 0
        var target: Int?
        for var s in list {
            if s.isInterrupt {
                guard let t = target, s.start >= out[t].start, s.start < out[t].end else { continue }
                out[t].ns -= min(s.ns, out[t].ns)
                out.append(s)
                continue
            }
            if s.start < lastEnd {
                s.start = min(lastEnd, s.end)
                s.ns = min(s.ns, s.end - s.start)
            }
            lastEnd = max(lastEnd, s.end)
            target = s.kind == .target ? out.count : nil
            out.append(s)
        }
        return out.filter { $0.ns > 0 }
    }
}
