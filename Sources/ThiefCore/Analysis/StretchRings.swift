/// The stretches of every CPU (`StretchRing`), shared by the windows of one
/// run: a wait that began in an earlier interval finds what ran on its CPU
/// there too. Fed in the stream's order, so a replay rebuilds them exactly.
final class StretchRings {
    /// CPU ids past this (a crafted recording's) keep no history.
    static let maxCPUs: UInt32 = 8192
    /// How far ahead of older records an interrupt's may come: two of the
    /// kernel side's batches (THIEF_BATCH_RECORDS), the most one CPU holds.
    static let interruptLead = 128
    /// By CPU id: an array lookup on the hot path; a ring is made at the CPU's first stretch.
    private var rings: [StretchRing?] = []

    @inline(__always)
    private func ring(_ cpu: UInt32) -> StretchRing? {
        cpu < rings.count ? rings[Int(cpu)] : nil
    }

    @inline(__always)
    func push(_ s: WaitStretch, cpu: UInt32) {
        if let r = ring(cpu) {
            r.push(s)
            return
        }
        guard cpu < Self.maxCPUs else { return }
        if cpu >= rings.count { rings += [StretchRing?](repeating: nil, count: Int(cpu) + 1 - rings.count) }
        let r = StretchRing()
        r.push(s)
        rings[Int(cpu)] = r
    }

    /// A target's slice on `cpu` ended: its contended part becomes a
    /// stretch; without one, the interrupts inside it (the newest, from its
    /// start on) lay in no wait and are forgotten, keeping the ring for what matters.
    @inline(__always)
    func sliceEnded(_ e: Episode) {
        if e.contended > 0 {
            push(WaitStretch(contended: e), cpu: UInt32(e.cpu))
            return
        }
        guard let r = ring(UInt32(e.cpu)) else { return }
        // Only interrupts inside the slice: one that came in ahead of records
        // older than it (a live run's kernel side may hold a CPU's records
        // while its interrupts go straight out) may belong to a later,
        // contended slice. One left here only takes room.
        var later: [WaitStretch] = []
        while r.count > 0, r.newest(0).isInterrupt, r.newest(0).end >= e.start {
            let s = r.newest(0)
            if s.start < e.start || s.end > e.end { later.append(s) }
            r.dropNewest()
        }
        for s in later.reversed() { r.push(s) }
    }

    /// What ran on `cpu` inside [from, to], clipped to it, in time order;
    /// `truncated`: the ring no longer reaches back to `from`.
    func stretches(cpu: UInt32, from: UInt64, to: UInt64) -> (list: [WaitStretch], truncated: Bool) {
        guard let r = ring(cpu) else { return ([], false) }
        var out: [WaitStretch] = []
        var i = 0
        while i < r.count {
            let s = r.newest(i)
            if s.end <= from { break }
            if let c = s.clipped(to: from, to) { out.append(c) }
            i += 1
        }
        let truncated = i == r.count && r.droppedEnd > from
        // Interrupts may have come in ahead of up to a held batch of older
        // records (see sliceEnded): look that far past the first older one.
        var j = i
        while j < min(r.count, i + Self.interruptLead) {
            let s = r.newest(j)
            if s.isInterrupt, let c = s.clipped(to: from, to) { out.append(c) }
            j += 1
        }
        out.reverse()
        // Interrupts are sent before the slice they ran in: in order of start.
        out.sort { $0.start < $1.start || ($0.start == $1.start && !$0.isInterrupt && $1.isInterrupt) }
        return (out, truncated)
    }
}
