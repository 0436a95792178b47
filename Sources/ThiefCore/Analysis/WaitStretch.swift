/// Something that held a CPU while targets waited on its run queue, in the
/// order the CPU sent it: another task's run (a steal record), another
/// target's contended part of a slice, or an interrupt inside a target's
/// slice. The worst waits are told from these (`WorstWaits`).
public struct WaitStretch: Sendable {
    public enum Kind: UInt8, Sendable {
        case task, target, hardIRQ, softIRQ, systemVector
    }

    public var kind: Kind
    /// A task: a kernel thread.
    public var kthread = false
    public var start: UInt64
    public var end: UInt64
    /// Its time: the steal's run time, the slice's contended ns, the interrupt's own time.
    public var ns: UInt64
    /// The task's pid, the target's tid, or the interrupt's number (IRQ line, vector).
    public var id: UInt32
    public var tgid: UInt32 = 0
    /// The task's name, or a hard IRQ's handler.
    public var comm: Comm

    public init(
        kind: Kind, kthread: Bool = false, start: UInt64, end: UInt64, ns: UInt64, id: UInt32, tgid: UInt32 = 0,
        comm: Comm
    ) {
        self.kind = kind
        self.kthread = kthread
        // A crafted record may put its start after its end.
        self.start = min(start, end)
        self.end = end
        self.ns = ns
        self.id = id
        self.tgid = tgid
        self.comm = comm
    }

    public var isInterrupt: Bool { kind == .hardIRQ || kind == .softIRQ || kind == .systemVector }

    /// The part of it inside [from, to], with its time bounded by that part; nil if none.
    func clipped(to from: UInt64, _ to: UInt64) -> WaitStretch? {
        let s = max(start, from), e = min(end, to)
        guard e > s else { return nil }
        var out = self
        (out.start, out.end, out.ns) = (s, e, min(ns, e - s))
        return out
    }
}

extension WaitStretch {
    init(_ s: Steal) {
        self.init(
            kind: .task, kthread: s.kthread, start: s.start, end: s.end, ns: s.duration, id: s.pid, tgid: s.tgid,
            comm: s.comm)
    }

    /// A target's slice that ran `contended` ns while targets waited: the
    /// kernel counts from when the first waited (or the slice began) to its end.
    init(contended e: Episode) {
        let from = e.end > e.contended ? max(e.start, e.end - e.contended) : e.start
        self.init(kind: .target, start: from, end: e.end, ns: e.contended, id: e.tid, tgid: e.tgid, comm: Comm(""))
    }

    init?(_ i: Interrupt) {
        let kind: Kind
        switch i.kind {
        case .hard: kind = .hardIRQ
        case .soft: kind = .softIRQ
        case .systemVector: kind = .systemVector
        case nil: return nil
        }
        self.init(kind: kind, start: i.start, end: i.end, ns: i.duration, id: i.number, comm: i.handler)
    }
}
