import ThiefCore

extension PerfettoTrace {
    /// The end of the run: the bundles still pending, thief's own track (the
    /// window, interval boundaries, lost events) and the process tree.
    public func finish(end: UInt64, lostEvents: UInt64, worstWaits: [Report.WorstWait] = []) throws {
        for cpu in pending.keys.sorted() { flush(cpu: cpu) }
        let track: UInt64 = 1
        describe(track, "thief")
        trackEvent(track, at: header.runStart, PF.Event.begin, "thief window")
        if let every = header.interval, every > 0 {
            var t = header.runStart + every
            while t < end, (t - header.runStart) / every <= 100_000 {
                trackEvent(track, at: t, PF.Event.instant, "interval \((t - header.runStart) / every)")
                t += every
            }
        }
        trackEvent(track, at: end, PF.Event.instant, "lost events: \(lostEvents)")
        trackEvent(track, at: end, PF.Event.end, nil)
        markWorst(worstWaits)
        emitLater(processTree())
        if let error { throw error }
    }

    /// The run's worst waits, as slices on a track of their own.
    func markWorst(_ waits: [Report.WorstWait]) {
        guard !waits.isEmpty else { return }
        let track: UInt64 = 2
        describe(track, "thief: worst waits")
        for (i, w) in waits.enumerated().sorted(by: { $0.element.startNs < $1.element.startNs }) {
            trackEvent(track, at: w.startNs, PF.Event.begin, "worst wait \(i + 1): tid \(w.tid) (\(w.comm))")
            trackEvent(track, at: w.startNs + w.durationNs, PF.Event.end, nil)
        }
    }

    /// Every task named in the trace, grouped under its process.
    func processTree() -> ProtoMessage {
        var p = ProtoMessage()
        p.message(PF.Packet.processTree) { tree in
            let processes = Set(tgids.values).sorted()
            for pid in processes {
                tree.message(PF.Tree.processes) { pr in
                    pr.int(PF.Process.pid, Int64(pid))
                    pr.string(PF.Process.cmdline, names[pid] ?? "")
                    pr.uint(PF.Process.cmdlineIsComm, 1)
                }
            }
            for tid in names.keys.sorted() {
                tree.message(PF.Tree.threads) { t in
                    t.int(PF.Thread.tid, Int64(tid))
                    t.string(PF.Thread.name, names[tid] ?? "")
                    t.int(PF.Thread.tgid, Int64(tgids[tid] ?? tid))
                }
            }
        }
        p.uint(PF.Packet.sequenceID, 1)
        return p
    }
}
