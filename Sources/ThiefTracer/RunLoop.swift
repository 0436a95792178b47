import CThiefBPF
import CThiefSys
import ThiefCore

/// The consumer: the kernel side never wakes it; it drains every pollMillis
/// (busyPollMillis after a busy drain), closes the intervals due, flushes the
/// recording, and ends at a stop signal, at the duration or when the target is gone.
struct RunLoop {
    let live: LiveRun
    let options: TracerOptions

    func run() throws -> EndReason {
        var status = StatusLine(enabled: options.statusLine)
        defer { status.clear() }
        var lastGoneCheck: UInt64 = 0
        while true {
            if thief_signals_pending() != 0 { return .signal }
            let now = thief_monotonic_ns()
            if let d = options.duration, now - live.start >= d { return .duration }
            let n = thief_bpf_poll(live.tb, pollTimeout(now: now))
            try TracerError.check(n, .kernel, "reading the ring buffer")
            // Every record stamped before `now` has been drained: close the intervals due.
            live.session.tick(now: now)
            live.quota.update(live.session.current, now: now)
            if let e = live.intervals.error { throw e }
            try live.tap?.tick(now: now)
            try live.box.recorder?.flushIfNeeded()
            if targetGone(now: now, lastCheck: &lastGoneCheck) { return .targetExited }
            status.update(now: now, live: live)
        }
    }

    /// pollMillis, or busyPollMillis after a drain of more than 1/8 of the
    /// buffer; never past the end of the duration.
    private func pollTimeout(now: UInt64) -> Int32 {
        var timeout = live.box.drained > Int(options.ringBufferBytes / 8) ? options.busyPollMillis : options.pollMillis
        live.box.drained = 0
        if let d = options.duration { timeout = Int32(min(UInt64(timeout), (d - (now - live.start)) / 1_000_000 + 1)) }
        return timeout
    }

    /// A launched command: has it exited? Otherwise: is every tracked thread gone?
    private func targetGone(now: UInt64, lastCheck: inout UInt64) -> Bool {
        if let child = live.child { return child.reapIfExited() }
        // A cgroup or a command name: tasks may still join.
        if options.target.isOpenEnded { return false }
        // A walk of the threads map (~100 us for its 64k buckets): 10 times
        // a second, not per drain.
        guard now - lastCheck >= 100_000_000 else { return false }
        lastCheck = now
        return BPFMaps.tracksNoThread(live.tb)
    }
}
