import CThiefABI
import CThiefBPF
import CThiefSys
import Foundation
import ThiefCore

public struct TracerOptions: Sendable {
    public var target: TargetSpec
    /// Stop after this many ns (nil: until Ctrl+C, SIGTERM or the target's exit).
    public var duration: UInt64?
    public var traceIRQs = true
    /// Force raw_tp instead of tp_btf (the fallback path).
    public var rawTracepoints = false
    /// 4 MiB holds ~50 ms of records at 1.2 M records/s (3 records of 64
    /// bytes and an 8-byte header per switch): 5 drains' worth, and the
    /// consumer drains sooner when the last drain was busy. Each MiB costs
    /// 2 MiB of RSS (the consumer maps the data pages twice); 2 MiB lost
    /// records in the capacity run when the machine was loaded.
    public var ringBufferBytes: UInt32 = 4 << 20
    /// The consumer drains on this timer (the kernel side never wakes it)...
    public var pollMillis: Int32 = 10
    /// ...or on this one after a drain that found more than 1/8 of the buffer full.
    public var busyPollMillis: Int32 = 1
    /// Attach the same programs but make each return at once: the cost floor
    /// any tracer of these tracepoints pays (for the overhead benchmark).
    public var noopPrograms = false
    /// Report every this many ns (nil: one report for the whole run).
    public var interval: UInt64?
    /// Measure and report what tracing cost (BPF run time, consumer CPU).
    public var selfCost = false
    /// With interval: stop after this many intervals.
    public var intervalCount: Int?
    /// Save the raw records and what rebuilds the report to this file.
    public var recordPath: String?

    public init(target: TargetSpec, duration: UInt64? = nil) {
        self.target = target
        self.duration = duration
    }
}

/// What a run produced.
public struct TraceResult {
    public let aggregator: Aggregator
    public let meta: ReportMeta
    public let header: RunHeader
    public let trailer: RunTrailer
    /// The report of the whole run, or of its last interval.
    public var report: Report { aggregator.report(meta) }
}

/// Loads the tracer, runs it until the run ends, and returns the aggregates.
/// The run ends at Ctrl+C/SIGTERM/SIGHUP, at the duration, or when the target
/// is gone; in every case what was collected is returned.
public final class Tracer {
    public let options: TracerOptions
    /// Called once tracing is live, with a line for the user.
    public var onAttached: ((String) -> Void)?
    /// Called with the report of each interval as it closes (not the last one:
    /// run() returns that).
    public var onInterval: ((Report) throws -> Void)?

    public init(options: TracerOptions) {
        self.options = options
    }

    private struct Seed {
        var tid: UInt32
        var tgid: UInt32
        var comm: String
        var state: OffState
        var sumExec: UInt64?
        var cpu: Int = 0
    }

    public func run() throws -> TraceResult {
        try Preflight.check(options.target)
        thief_signals_install()
        thief_bpf_set_verbose(ProcessInfo.processInfo.environment["THIEF_DEBUG"] == nil ? 0 : 1)

        // A launched command is forked first, held before exec until tracing is live.
        var child: (pid: pid_t, go: Int32, err: Int32)?
        if case .command(let argv) = options.target {
            var cargs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
            defer { cargs.forEach { free($0) } }
            var pid: pid_t = 0, go: Int32 = -1, err: Int32 = -1
            try TracerError.check(thief_spawn_paused(&cargs, &pid, &go, &err), .launch, "cannot start \(argv[0])", from: .sys)
            child = (pid, go, err)
        }
        var childReaped = false
        var childStatus: Int32?
        defer {
            if let c = child, !childReaped {
                // Never leave a held or orphaned child behind on an error path.
                close(c.go)
                kill(c.pid, SIGKILL)
                var st: Int32 = 0
                waitpid(c.pid, &st, 0)
            }
        }

        var seeds = try seedThreads(childPid: child?.pid)
        var config = thief_bpf_config()
        config.self_tgid = UInt32(getpid())
        config.ringbuf_bytes = options.ringBufferBytes
        config.trace_irqs = options.traceIRQs ? 1 : 0
        config.noop = options.noopPrograms ? 1 : 0
        config.attach_mode = UInt8(options.rawTracepoints ? THIEF_ATTACH_RAW_TP.rawValue : THIEF_ATTACH_AUTO.rawValue)
        switch options.target {
        case .process: config.follow_threads = 1
        case .threads: break
        case .command: config.follow_threads = 1; config.follow_children = 1
        }
        // All targets in one process (-p, -t of one process): the kernel side
        // rejects every other task's events with one load. A command's
        // children are other processes: no such shortcut.
        if case .command = options.target {} else if Set(seeds.map(\.tgid)).count == 1 {
            config.target_tgid = seeds[0].tgid
        }

        let object = BPFObject.thief
        guard !object.isEmpty else { throw TracerError(.internalError, "the embedded BPF object is empty (broken build)") }
        var handle: OpaquePointer?
        let rc = object.withUnsafeBytes { thief_bpf_open($0.baseAddress, $0.count, &config, &handle) }
        try TracerError.check(rc, .kernel, "cannot load the eBPF tracer")
        guard let tb = handle else { throw TracerError(.internalError, "tracer handle missing") }
        defer { thief_bpf_close(tb) }

        if options.selfCost { try TracerError.check(thief_bpf_enable_stats(tb), .kernel, "--self-cost") }
        let cpuAtStart = Self.cpuTimeNs()
        for s in seeds { _ = try track(tb, s, onlyNew: false) }

        // The session exists before attach; its window starts once attached.
        let box = SessionBox()
        let ctx = Unmanaged.passUnretained(box).toOpaque()
        let callback: thief_bpf_record_fn = { ctx, data, size in
            guard let ctx, let data else { return 0 }
            let box = Unmanaged<SessionBox>.fromOpaque(ctx).takeUnretainedValue()
            box.drained &+= size
            box.session?.fold(bytes: UnsafeRawPointer(data), count: size)
            box.recorder?.append(UnsafeRawPointer(data), size)
            return 0
        }
        try TracerError.check(thief_bpf_attach(tb, callback, ctx), .kernel, "cannot attach the eBPF tracer")
        let start = thief_monotonic_ns()
        seeds = try reconcile(tb, seeds)
        if seeds.isEmpty { throw TracerError(.noTarget, "the target exited before tracing started") }
        var wall = timespec()
        clock_gettime(CLOCK_REALTIME, &wall)
        let startEpoch = UInt64(wall.tv_sec) * 1_000_000_000 + UInt64(wall.tv_nsec)
        let session = Session(runStart: start, interval: options.interval, limit: options.intervalCount)
        box.session = session
        for s in seeds { session.addThread(tid: s.tid, tgid: s.tgid, comm: s.comm, state: s.state) }

        if let c = child {
            let e = thief_spawn_release(c.go, c.err)
            child = (c.pid, -1, -1)
            if e != 0 {
                var st: Int32 = 0
                waitpid(c.pid, &st, 0)
                childReaped = true
                if case .command(let argv) = options.target {
                    throw TracerError(.launch, "cannot run '\(argv[0])': \(String(cString: strerror(e)))")
                }
            }
        }

        let (pid, comm) = targetIdentity(seeds: seeds)
        var command: [String]?
        if case .command(let argv) = options.target { command = argv }
        var header = RunHeader(
            version: ThiefVersion.current, host: Host.name, kernel: Host.kernel, pid: pid, comm: comm,
            command: command, runStart: start, startEpochNs: startEpoch,
            attach: String(cString: thief_bpf_attach_kind(tb)), programs: Int(thief_bpf_attached_count(tb)),
            seeds: seeds.map { RunHeader.Seed(tid: $0.tid, tgid: $0.tgid, comm: $0.comm, state: UInt8($0.state.rawValue)) })
        header.interval = options.interval
        header.intervalCount = options.intervalCount
        if let path = options.recordPath {
            box.recorder = try Recorder(path: path, header: header)
        }
        var intervalError: Error?
        session.onInterval = { [weak self] agg, idx in
            var counters = thief_counters()
            _ = thief_bpf_counters(tb, &counters)
            let meta = header.meta(window: agg, trailer: nil, intervalIndex: idx, interval: self?.options.interval,
                                   lostSoFar: counters.lost, missedSoFar: counters.healed)
            box.recorder?.noteInterval(idx, lost: counters.lost, missed: counters.healed)
            do { try self?.onInterval?(agg.report(meta)) } catch { intervalError = intervalError ?? error }
        }
        onAttached?("thief: tracing \(describe(pid: pid, comm: comm, threads: seeds.count)) via \(header.attach) (\(header.programs) programs); "
            + (options.duration.map { "for \(formatDuration($0)), " } ?? "") + "Ctrl+C to stop")

        // The consumer: the kernel side never wakes it; it drains every pollMillis.
        var endReason = "signal"
        var lastGoneCheck: UInt64 = 0
        while true {
            if thief_signals_pending() != 0 { endReason = "signal"; break }
            let now = thief_monotonic_ns()
            if let d = options.duration, now - start >= d { endReason = "duration"; break }
            var timeout = box.drained > Int(options.ringBufferBytes / 8) ? options.busyPollMillis : options.pollMillis
            box.drained = 0
            if let d = options.duration { timeout = Int32(min(UInt64(timeout), (d - (now - start)) / 1_000_000 + 1)) }
            let n = thief_bpf_poll(tb, timeout)
            try TracerError.check(n, .kernel, "reading the ring buffer")
            // Every record stamped before `now` has been drained: close the intervals due.
            session.tick(now: now)
            if let e = intervalError { throw e }
            try box.recorder?.flushIfNeeded()
            if let c = child, !childReaped {
                var st: Int32 = 0
                if waitpid(c.pid, &st, WNOHANG) == c.pid {
                    childReaped = true
                    childStatus = Self.exitStatus(st)
                    endReason = "target-exited"
                    break
                }
            } else if child == nil, now - lastGoneCheck >= 100_000_000 {
                // Is every tracked thread gone? A walk of the threads map
                // (~100 us for its 64k buckets): 10 times a second, not per drain.
                lastGoneCheck = now
                var first: UInt32 = 0
                if thief_bpf_next_thread(tb, 0, 0, &first) == -ENOENT { endReason = "target-exited"; break }
            }
        }

        // Stop tracing first, then close the window: every record is inside it.
        thief_bpf_detach(tb)
        let end = thief_monotonic_ns()
        let consumed = thief_bpf_consume(tb)
        try TracerError.check(consumed, .kernel, "reading the ring buffer")
        var counters = thief_counters()
        try TracerError.check(thief_bpf_counters(tb, &counters), .kernel, "reading the tracer's counters")
        var open: [(tid: UInt32, state: thief_tstate)] = []
        var have: Int32 = 0
        var prev: UInt32 = 0, next: UInt32 = 0
        while thief_bpf_next_thread(tb, have, prev, &next) == 0 {
            var st = thief_tstate()
            if thief_bpf_thread_state(tb, next, &st) == 0 { open.append((next, st)) }
            have = 1
            prev = next
        }
        // A thread with no event in the whole window ran or waited throughout:
        // its on-core time comes from the kernel's own books.
        var untouched: [UInt32: UInt64] = [:]
        for (tid, st) in open where st.seen_in == 0 && st.off_ts == 0 && st.waiting == 0 {
            if let s = seeds.first(where: { $0.tid == tid }), let before = s.sumExec,
               let after = ProcFS.sched(pid: Int32(s.tgid), tid: Int32(tid))?.sumExecRuntime {
                untouched[tid] = after >= before ? after - before : 0
            }
        }
        var names: [UInt32: String] = [:]
        for (tid, st) in open {
            if let name = ProcFS.comm(pid: Int32(st.tgid), tid: Int32(tid)) { names[tid] = name }
        }

        if let c = child, !childReaped {
            // The run ended before the command: stop it, as perf does with its workload.
            kill(c.pid, SIGTERM)
            var st: Int32 = 0
            for _ in 0..<20 {
                if waitpid(c.pid, &st, WNOHANG) == c.pid { childReaped = true; break }
                usleep(50_000)
            }
            if !childReaped { kill(c.pid, SIGKILL); waitpid(c.pid, &st, 0); childReaped = true }
            childStatus = Self.exitStatus(st)
        }

        var trailer = RunTrailer(
            end: end, endReason: endReason, exitStatus: childStatus, lostEvents: counters.lost,
            missedSwitchEvents: counters.healed, open: open.map { RunTrailer.OpenThread(tid: $0.tid, $0.state) },
            untouched: untouched, names: names)
        if options.selfCost {
            var stats = [thief_bpf_prog_stats](repeating: thief_bpf_prog_stats(), count: 64)
            let n = Int(max(0, thief_bpf_prog_stats_get(tb, &stats, 64)))
            var usage = rusage()
            getrusage(RUSAGE_SELF.rawValue, &usage)
            trailer.selfCost = Report.SelfCost(
                bpfRunNs: stats.prefix(n).reduce(0) { $0 + $1.run_time_ns },
                bpfRuns: stats.prefix(n).reduce(0) { $0 + $1.run_cnt },
                consumerCpuNs: Self.cpuTimeNs() - cpuAtStart, peakRssKb: UInt64(max(0, usage.ru_maxrss)))
        }
        let (last, idx) = session.finish(at: end, open: open, untouchedOnCore: untouched)
        for (tid, name) in names { last.rename(tid: tid, comm: name) }
        try box.recorder?.finish(trailer)
        let meta = header.meta(window: last, trailer: trailer, intervalIndex: options.interval == nil ? nil : idx,
                               interval: options.interval, lostSoFar: 0, missedSoFar: 0)
        return TraceResult(aggregator: last, meta: meta, header: header, trailer: trailer)
    }

    /// This process's CPU time (user + system), ns.
    static func cpuTimeNs() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    static func exitStatus(_ st: Int32) -> Int32 {
        let sig = st & 0x7f
        return sig == 0 ? (st >> 8) & 0xff : 128 + sig
    }

    /// Puts a thread into the kernel side's target set, in the state /proc
    /// gives it. onlyNew: false if the kernel side already tracks it.
    private func track(_ tb: OpaquePointer, _ s: Seed, onlyNew: Bool) throws -> Bool {
        var st = thief_tstate()
        st.tgid = s.tgid
        st.off_state = UInt8(s.state.rawValue)
        st.on_cpu = UInt16(truncatingIfNeeded: s.cpu)
        if let sum = s.sumExec { st.off_sum = sum; st.sum_known = 1 }
        if s.state == .preempted {
            // R in /proc: running or waiting for a CPU. Count it waiting from
            // the window's start: if it was in fact running, its first
            // switch-out closes that wait at its switch-in, at the start.
            st.waiting = 1
            st.wait_cpu = UInt16(truncatingIfNeeded: s.cpu)
        }
        let rc = thief_bpf_track(tb, s.tid, &st, onlyNew ? 1 : 0)
        if rc == -EEXIST { return false }
        try TracerError.check(rc, .kernel, "cannot track thread \(s.tid)")
        return true
    }

    /// Closes the gap between listing the target's threads and attaching
    /// (loading takes tens of ms): a thread created in it was seen by no fork
    /// event, so it joins now; one that exited in it had no traced exit, so
    /// it leaves (else the run would never see the target go).
    private func reconcile(_ tb: OpaquePointer, _ seeds: [Seed]) throws -> [Seed] {
        guard case .process = options.target, let tgid = seeds.first?.tgid else {
            return seeds.filter { s in
                if ProcFS.stat(pid: Int32(s.tgid), tid: Int32(s.tid)) != nil { return true }
                _ = thief_bpf_untrack(tb, s.tid)
                return false
            }
        }
        let now = Set(ProcFS.threads(of: Int32(tgid)).map { UInt32($0) })
        var kept: [Seed] = []
        for s in seeds {
            if now.contains(s.tid) { kept.append(s) } else { _ = thief_bpf_untrack(tb, s.tid) }
        }
        let known = Set(seeds.map(\.tid))
        for tid in now.subtracting(known).sorted() {
            guard let s = Self.seed(pid: Int32(tgid), tid: Int32(tid)) else { continue }
            if try track(tb, s, onlyNew: true) { kept.append(s) }
        }
        return kept
    }

    private static func seed(pid: Int32, tid: Int32) -> Seed? {
        guard let st = ProcFS.stat(pid: pid, tid: tid) else { return nil }
        return Seed(tid: UInt32(tid), tgid: UInt32(pid), comm: ProcFS.comm(pid: pid, tid: tid) ?? "?",
                    state: OffState(procState: st.state),
                    sumExec: ProcFS.sched(pid: pid, tid: tid)?.sumExecRuntime, cpu: st.cpu)
    }

    private func seedThreads(childPid: pid_t?) throws -> [Seed] {
        func seed(pid: Int32, tid: Int32) -> Seed? { Self.seed(pid: pid, tid: tid) }
        switch options.target {
        case .process(let p):
            let pid = ProcFS.tgid(of: p) ?? p
            let seeds = ProcFS.threads(of: pid).compactMap { seed(pid: pid, tid: $0) }
            guard !seeds.isEmpty else { throw TracerError(.noTarget, "process \(p) exited before tracing started") }
            return seeds
        case .threads(let tids):
            return try tids.map { tid in
                guard let tgid = ProcFS.tgid(of: tid), let s = seed(pid: tgid, tid: tid) else {
                    throw TracerError(.noTarget, "thread \(tid) exited before tracing started")
                }
                return s
            }
        case .command(let argv):
            let pid = childPid ?? 0
            var s = seed(pid: pid, tid: pid) ?? Seed(tid: UInt32(pid), tgid: UInt32(pid), comm: "", state: .sleeping)
            s.comm = String((argv.first.map { ($0 as NSString).lastPathComponent } ?? "").prefix(15))
            s.state = .sleeping
            return [s]
        }
    }

    private func targetIdentity(seeds: [Seed]) -> (Int32, String) {
        let tgid = Int32(seeds.first?.tgid ?? 0)
        let comm = seeds.first(where: { $0.tid == UInt32(tgid) })?.comm ?? seeds.first?.comm ?? "?"
        return (tgid, comm)
    }

    private func describe(pid: Int32, comm: String, threads: Int) -> String {
        switch options.target {
        case .process: return "PID \(pid) (\(comm)), \(threads) thread\(threads == 1 ? "" : "s") and any it creates"
        case .threads(let tids): return "thread\(tids.count == 1 ? "" : "s") \(tids.map(String.init).joined(separator: ","))"
        case .command(let argv): return "'\(argv.joined(separator: " "))' (PID \(pid)) and its children"
        }
    }
}

/// Lets the C callback reach the session without retaining it per record.
final class SessionBox {
    var session: Session?
    var recorder: Recorder?
    /// Bytes drained since the consumer last slept.
    var drained = 0
}

func formatDuration(_ ns: UInt64) -> String {
    if ns % 1_000_000_000 == 0 { return "\(ns / 1_000_000_000)s" }
    if ns % 1_000_000 == 0 { return "\(ns / 1_000_000)ms" }
    return "\(ns)ns"
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}

/// Facts about this machine for the report header.
public enum Host {
    public static var name: String {
        var buf = [CChar](repeating: 0, count: 256)
        gethostname(&buf, buf.count)
        let bytes = buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    public static var kernel: String {
        var u = utsname()
        uname(&u)
        return withUnsafeBytes(of: u.release) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
    }

    public static func rfc3339(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: date)
    }
}
