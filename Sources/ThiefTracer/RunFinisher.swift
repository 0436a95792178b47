import CThiefABI
import CThiefBPF
import CThiefSys
import ThiefCore

/// Ends a run: stops tracing, drains what is left, reads what the kernel side
/// still holds, stops a command still running, and closes the last window.
struct RunFinisher {
    let live: LiveRun
    let options: TracerOptions

    func finish(endReason: EndReason) throws -> TraceResult {
        // Stop tracing first, then close the window: every record is inside it.
        thief_bpf_detach(live.tb)
        let end = thief_monotonic_ns()
        try TracerError.check(thief_bpf_consume(live.tb), .kernel, "reading the ring buffer")
        let held = thief_bpf_drain_held(live.tb)
        try TracerError.check(held, .kernel, "reading the held records")
        let counters = try BPFMaps.counters(live.tb)
        let open = BPFMaps.openThreads(live.tb)
        let untouched = untouchedOnCore(open)
        let names = Self.names(of: open)
        live.child?.stop()
        var trailer = RunTrailer(
            end: end, endReason: endReason.rawValue, exitStatus: live.child?.status, lostEvents: counters.lost,
            missedSwitchEvents: counters.healed, open: open.map { RunTrailer.OpenThread(tid: $0.tid, $0.state) },
            untouched: untouched, names: names)
        // What was drained last may show throttling not looked up yet.
        live.quota.look(live.session.current)
        if live.quota.quota != live.header.cpuQuota { trailer.cpuQuota = live.quota.quota }
        if options.selfCost {
            trailer.selfCost = SelfCostMeter.measure(
                live.tb, cpuAtStart: live.cpuAtStart, sent: counters.emitted, held: UInt64(held))
        }
        return try closeWindow(end: end, open: open, untouched: untouched, names: names, trailer: trailer)
    }

    /// A thread with no event in the whole window ran or waited throughout:
    /// its on-core time comes from the kernel's own books (/proc).
    private func untouchedOnCore(_ open: [(tid: UInt32, state: thief_tstate)]) -> [UInt32: UInt64] {
        var untouched: [UInt32: UInt64] = [:]
        for (tid, st) in open where st.seen_in == 0 && st.off_ts == 0 && st.waiting == 0 {
            if let s = live.seeds.first(where: { $0.tid == tid }), let before = s.sumExec,
                let after = ProcFS.sched(pid: Int32(s.tgid), tid: Int32(tid))?.sumExecRuntime
            {
                untouched[tid] = after >= before ? after - before : 0
            }
        }
        return untouched
    }

    /// The names of the threads still there at the end (a thread may rename itself).
    private static func names(of open: [(tid: UInt32, state: thief_tstate)]) -> [UInt32: String] {
        var names: [UInt32: String] = [:]
        for (tid, st) in open {
            if let name = ProcFS.comm(pid: Int32(st.tgid), tid: Int32(tid)) { names[tid] = name }
        }
        return names
    }

    /// The session's last window, with the kernel's open threads and the
    /// trailer; the recording ends here too.
    private func closeWindow(
        end: UInt64, open: [(tid: UInt32, state: thief_tstate)], untouched: [UInt32: UInt64],
        names: [UInt32: String], trailer: RunTrailer
    ) throws -> TraceResult {
        let (last, idx) = live.session.finish(
            at: end, open: open.map { KernelOpenThread(tid: $0.tid, $0.state) }, untouchedOnCore: untouched)
        for (tid, name) in names { last.rename(tid: tid, comm: name) }
        var trailer = trailer
        let culprits = live.namer.name(last, cpuBound: live.header.cpuBound)
        if !culprits.isEmpty { trailer.culprits = culprits }
        try live.box.recorder?.finish(trailer)
        let meta = live.header.meta(
            window: last, trailer: trailer, intervalIndex: options.interval == nil ? nil : idx,
            interval: options.interval, lostSoFar: 0, missedSoFar: 0)
        return TraceResult(window: last, meta: meta, header: live.header, trailer: trailer)
    }
}
