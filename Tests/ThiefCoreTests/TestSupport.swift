import CThiefABI

@testable import ThiefCore

/// Shared fixtures for the analysis tests: a window start far from zero (so
/// that "start_ts 0 = before tracing" is distinguishable) and unit helpers.
let W: UInt64 = 1_000_000_000_000  // 1000 s of CLOCK_MONOTONIC
let us: UInt64 = 1_000
let ms: UInt64 = 1_000_000

/// A `thief_tstate` as the kernel leaves it at the end of the window.
func tstate(
    tgid: UInt32, running: Bool = false, onTs: UInt64 = 0, onCpu: UInt16 = 0,
    offTs: UInt64 = 0, offState: OffState = .preempted,
    waiting: Bool = false, waitTs: UInt64 = 0, waitCpu: UInt16 = 0,
    seenIn: Bool? = nil
) -> thief_tstate {
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

func meta(
    pid: Int32 = 1000, comm: String = "victim", command: [String]? = nil,
    exitStatus: Int32? = nil, lostEvents: UInt64 = 0
) -> ReportMeta {
    ReportMeta(
        version: "0.1.0", host: "testhost", kernel: "6.18.0-test", pid: pid, comm: comm,
        command: command, exitStatus: exitStatus, startTime: "2026-01-01T00:00:00.000Z",
        endReason: "duration", lostEvents: lostEvents, attach: "tp_btf", programs: 12)
}

extension Window {
    convenience init(windowStart: UInt64) { self.init(start: windowStart) }

    /// Folds records the way a one-window run does (decoded, then consumed).
    func fold(_ r: Record) {
        var r = r
        withUnsafeBytes(of: &r) { Session(window: self).fold(bytes: $0.baseAddress!, count: Record.size) }
    }

    func fold(_ records: [Record]) {
        for r in records { fold(r) }
    }

    /// A ring-buffer sample, as the live consumer hands it on.
    func fold(bytes: UnsafeRawPointer, count: Int) {
        Session(window: self).fold(bytes: bytes, count: count)
    }

    /// Ends a window the tests filled by folding records into it directly,
    /// through the code every run ends with (Session.finish).
    func close(at end: UInt64, open: [(tid: UInt32, state: thief_tstate)], untouchedOnCore: [UInt32: UInt64] = [:]) {
        Session(window: self).finish(
            at: end, open: open.map { KernelOpenThread(tid: $0.tid, $0.state) },
            untouchedOnCore: untouchedOnCore)
    }
}

extension Session {
    func fold(_ r: Record) {
        var r = r
        withUnsafeBytes(of: &r) { fold(bytes: $0.baseAddress!, count: Record.size) }
    }

    @discardableResult
    func finish(at end: UInt64, open: [(tid: UInt32, state: thief_tstate)], untouchedOnCore: [UInt32: UInt64] = [:])
        -> (Window, Int)
    {
        finish(at: end, open: open.map { KernelOpenThread(tid: $0.tid, $0.state) }, untouchedOnCore: untouchedOnCore)
    }
}

/// The record types, for building what the kernel would send.
enum RecordKind: UInt16 {
    case slice = 1, offCore = 2, wait = 3, steal = 4, irq = 5, migrate = 6
    case newThread = 7, exit = 8, exec = 9
}

extension Record {
    /// A record as the kernel side would send it, from the fields of ABI 1
    /// (the tests' fixtures were written in its terms): `aux`, `otherPid` and
    /// `otherTgid` mean what they meant there for each kind.
    init(
        kind: RecordKind, ts: UInt64, start: UInt64 = 0, dur: UInt64 = 0, cpu: UInt16 = 0,
        aux: UInt32 = 0, tid: UInt32, tgid: UInt32, otherPid: UInt32 = 0, otherTgid: UInt32 = 0,
        comm: String = ""
    ) {
        let name = Comm(comm)
        let event: Event
        switch kind {
        case .slice:
            event = .slice(
                SliceEnded(
                    tid: tid, tgid: tgid, cpu: cpu, start: start, end: ts, ran: dur,
                    next: OffState(kernel: aux)))
        case .offCore:
            event = .offCore(
                OffCoreEnded(
                    tid: tid, tgid: tgid, cpu: cpu, start: start, end: ts,
                    state: OffState(kernel: aux)))
        case .wait:
            event = .wait(WaitEnded(tid: tid, tgid: tgid, cpu: cpu, queueCPU: otherPid, start: start, end: ts))
        case .steal:
            event = .steal(
                Steal(
                    victim: tid, cpu: cpu, start: ts &- dur, end: ts, duration: dur, pid: otherPid,
                    tgid: otherTgid, kthread: aux & 1 != 0, comm: name))
        case .irq:
            event = .interrupt(
                Interrupt(
                    tid: tid, tgid: tgid, cpu: cpu, start: start, end: ts, duration: dur,
                    kind: IRQKind(rawValue: aux), number: otherPid, handler: name))
        case .migrate:
            event = .migration(
                Migration(
                    tid: tid, tgid: tgid, time: ts, from: otherPid, to: otherTgid,
                    kind: MigrationKind(rawValue: Int(aux)) ?? .whileRunning))
        case .newThread:
            event = .threadBorn(ThreadChange(tid: tid, tgid: tgid, time: ts, parent: otherPid, comm: name))
        case .exit:
            event = .threadExit(ThreadChange(tid: tid, tgid: tgid, time: ts, parent: 0, comm: name))
        case .exec:
            event = .threadExec(ThreadChange(tid: tid, tgid: tgid, time: ts, parent: 0, comm: name))
        }
        self.init(event)
    }

    var kind: RecordKind? { RecordKind(rawValue: type) }
}
