import CThiefABI
import ThiefCore

/// Shared fixtures for the aggregator tests: a window start far from zero (so
/// that "start_ts 0 = before tracing" is distinguishable) and unit helpers.
let W: UInt64 = 1_000_000_000_000  // 1000 s of CLOCK_MONOTONIC
let us: UInt64 = 1_000
let ms: UInt64 = 1_000_000

/// A `thief_tstate` as the kernel leaves it at the end of the window.
func tstate(tgid: UInt32, running: Bool = false, onTs: UInt64 = 0, onCpu: UInt16 = 0,
            offTs: UInt64 = 0, offState: OffState = .preempted,
            waiting: Bool = false, waitTs: UInt64 = 0, waitCpu: UInt16 = 0,
            seenIn: Bool? = nil) -> thief_tstate {
    var s = thief_tstate()
    s.tgid = tgid
    s.running = running ? 1 : 0
    s.seen_in = (seenIn ?? running) ? 1 : 0
    s.on_ts = onTs
    s.on_cpu = onCpu
    s.off_ts = offTs
    s.off_state = UInt8(offState.rawValue)
    s.waiting = waiting ? 1 : 0
    s.wait_ts = waitTs
    s.wait_cpu = waitCpu
    return s
}

func meta(pid: Int32 = 1000, comm: String = "victim", command: [String]? = nil,
          exitStatus: Int32? = nil, lostEvents: UInt64 = 0) -> ReportMeta {
    ReportMeta(version: "0.1.0", host: "testhost", kernel: "6.18.0-test", pid: pid, comm: comm,
               command: command, exitStatus: exitStatus, startTime: "2026-01-01T00:00:00.000Z",
               endReason: "duration", lostEvents: lostEvents, attach: "tp_btf", programs: 12)
}

extension Aggregator {
    func fold(_ records: [Record]) {
        for r in records { fold(r) }
    }
}

extension Aggregator {
    /// Ends a window the tests filled by folding records into it directly,
    /// through the code every run ends with (Session.finish).
    func close(at end: UInt64, open: [(tid: UInt32, state: thief_tstate)], untouchedOnCore: [UInt32: UInt64] = [:]) {
        Session(window: self).finish(at: end, open: open, untouchedOnCore: untouchedOnCore)
    }
}
