extension WorstWaits {
    public func section(_ context: SectionContext) -> [Report.WorstWait]? { section(context, threads: Threads()) }

    /// Longest first, named after the threads; nil with `--worst 0`.
    public func section(_ context: SectionContext, threads: Threads) -> [Report.WorstWait]? {
        guard limit > 0 else { return nil }
        return top.map { e in
            Report.WorstWait(
                tid: e.tid, tgid: e.tgid, comm: threads[e.tid]?.comm ?? names[e.tid] ?? "", startNs: e.start,
                durationNs: e.length,
                cpu: UInt32(e.cpu), queueCpu: e.queueCPU, waker: e.wakeup.map(Self.waker),
                causes: Report.ByCause(e.causes), culprits: culprits(e, threads: threads),
                truncated: e.truncated)
        }
    }

    static func waker(_ w: Wakeup) -> Report.WaitWaker {
        Report.WaitWaker(
            pid: w.waker.pid, tgid: w.waker.tgid, comm: w.waker.comm.string, kthread: w.waker.kthread,
            context: w.waker.context.rawValue, cpu: UInt32(w.waker.cpu), wakingNs: w.waking)
    }

    /// The timed stretches, then what of the wait they leave: its idle,
    /// throttled and steal causes (no stretch times those) up to what is
    /// left, in that order, and `other`, the rest (a wait from before
    /// tracing, stretches the ring no longer held): the culprits sum to the wait.
    func culprits(_ e: Entry, threads: Threads) -> [Report.Culprit] {
        var out = e.stretches.map { culprit($0, threads: threads) }
        var rest = e.length - min(e.length, out.reduce(0) { $0 &+ $1.ns })
        for (kind, ns) in [("idle", e.causes.idle), ("throttled", e.causes.throttled), ("steal", e.causes.steal)] {
            let take = min(ns, rest)
            rest -= take
            out.append(Report.Culprit(kind: kind, ns: take))
        }
        out.append(Report.Culprit(kind: "other", ns: rest))
        return out
    }

    func culprit(_ s: WaitStretch, threads: Threads) -> Report.Culprit {
        var c = Report.Culprit(kind: "task", startNs: s.start, ns: s.ns)
        switch s.kind {
        case .task:
            (c.pid, c.tgid, c.comm, c.kthread) = (s.id, s.tgid, s.comm.string, s.kthread)
        case .target:
            c.kind = "target"
            (c.pid, c.tgid, c.comm) = (s.id, s.tgid, threads[s.id]?.comm ?? names[s.id] ?? "")
        case .hardIRQ:
            (c.kind, c.irq, c.name) = ("hardirq", s.id, s.comm.string)
        case .softIRQ:
            (c.kind, c.name) = ("softirq", SoftIRQ.name(s.id))
        case .systemVector:
            (c.kind, c.name) = ("sysvec", SystemVector.name(s.id))
        }
        return c
    }
}
