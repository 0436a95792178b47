import CThiefBPF
import CThiefSys
import FoundationEssentials
import Glibc
import ThiefCore

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
    /// Sees the run's records as they come (`thief watch`).
    public var tap: LiveTap?

    public init(options: TracerOptions) {
        self.options = options
    }

    public func run() throws -> TraceResult {
        let features = KernelFeatures.probe()
        let runAs = try Preflight.check(options, features: features)
        thief_signals_install()
        thief_bpf_set_verbose(ProcessInfo.processInfo.environment["THIEF_DEBUG"] == nil ? 0 : 1)
        // A launched command is forked first, held before exec until tracing is live.
        let child = try LaunchedCommand.spawn(options.target, as: runAs)
        defer { child?.abandon() }
        let seeder = ThreadSeeder(target: options.target)
        let seeds = try seeder.list(childPid: child?.pid)
        let tb = try BPFObject.load(options.bpfConfig(seeds: seeds))
        defer { thief_bpf_close(tb) }
        let live = try goLive(tb, seeder: seeder, seeds: seeds, child: child, unavailable: features.unavailable)
        let endReason = try RunLoop(live: live, options: options).run()
        if let tap {
            let now = thief_monotonic_ns()
            try LiveProbe(tb: tb).drain()
            try tap.ending(now: now)
        }
        return try RunFinisher(live: live, options: options).finish(endReason: endReason)
    }

    /// Seeds the kernel side, attaches, starts the session's window and
    /// releases a launched command.
    private func goLive(
        _ tb: OpaquePointer, seeder: ThreadSeeder, seeds listed: [LiveSeed],
        child: LaunchedCommand?, unavailable: [Unavailable]
    ) throws -> LiveRun {
        // Without CAP_SYS_ADMIN, Preflight made sure root turned the statistics on.
        if options.selfCost, Preflight.has(.sysAdmin) {
            try TracerError.check(thief_bpf_enable_stats(tb), .kernel, "--self-cost")
        }
        let cpuAtStart = SelfCostMeter.cpuTimeNs()
        try seeder.track(tb, listed)
        // Read before attaching: sysfs takes a moment on a large machine.
        let topology = Topology.read()
        // The box exists before attach; the session once attached, as its window starts.
        let box = SessionBox()
        box.tap = tap
        try box.attach(tb)
        let start = thief_monotonic_ns()
        let seeds = try seeder.reconcile(tb, listed)
        if seeds.isEmpty, !options.target.isOpenEnded {
            throw TracerError(.noTarget, "the target exited before tracing started")
        }
        let startEpoch = Self.realtimeNs()
        let session = makeSession(start: start, seeds: seeds, topology: topology)
        box.session = session
        try child?.release()
        var header = makeHeader(tb, start: start, startEpoch: startEpoch, seeds: seeds)
        header.topology = session.topology
        header.unavailable = unavailable
        // PREEMPT_RT kernels say so here (6.0+; Debian's -rt kernels); the advice knows RT by it.
        if ProcFS.read("/sys/kernel/realtime")?.trimming(.whitespacesAndNewlines) == "1" {
            header.preemptRT = true
        }
        if let path = options.recordPath { box.recorder = try Recorder(path: path, header: header) }
        try options.onLive?(header, session)
        try tap?.live(header: header, session: session, probe: LiveProbe(tb: tb))
        let intervals = IntervalReporter()
        let namer = CulpritNamer()
        let quota = CPUQuotaWatch(start: header.cpuQuota)
        intervals.install(on: session, tb, header: header, box: box, tracer: self, namer: namer, quota: quota)
        onAttached?(attachedLine(header, seeds: seeds))
        return LiveRun(
            tb: tb, box: box, session: session, header: header, seeds: seeds, child: child, tap: tap,
            intervals: intervals, namer: namer, start: start, cpuAtStart: cpuAtStart, quota: quota)
    }

    /// The one place the session is made and given its threads.
    private func makeSession(start: UInt64, seeds: [LiveSeed], topology: Topology?) -> Session {
        let session = Session(
            runStart: start, interval: options.interval, limit: options.intervalCount, topology: topology)
        session.worstWaits = options.worstWaits
        for s in seeds { session.addThread(s.seed) }
        return session
    }

    /// What the report and the recording say of the run before it ends.
    private func makeHeader(_ tb: OpaquePointer, start: UInt64, startEpoch: UInt64, seeds: [LiveSeed]) -> RunHeader {
        let (pid, comm) = ThreadSeeder(target: options.target).identity(of: seeds)
        var command: [String]?
        if case .command(let argv) = options.target { command = argv }
        var header = RunHeader(
            version: ThiefVersion.current, host: Host.name, kernel: Host.kernel, pid: pid, comm: comm,
            command: command, runStart: start, startEpochNs: startEpoch,
            attach: String(cString: thief_bpf_attach_kind(tb)), programs: Int(thief_bpf_attached_count(tb)),
            seeds: seeds.map(\.seed))
        header.targetKind = options.target.kind
        if case .cgroup(let cg) = options.target { header.cgroup = cg.path }
        header.cpuQuota = pid > 0 ? CPUQuota.of(pid: pid) : nil
        header.tracerPid = getpid()
        header.bootOffsetNs = Self.bootOffsetNs()
        header.interval = options.interval
        header.intervalCount = options.intervalCount
        header.worstWaits = options.worstWaits
        return header
    }

    private func attachedLine(_ header: RunHeader, seeds: [LiveSeed]) -> String {
        let (pid, comm) = ThreadSeeder(target: options.target).identity(of: seeds)
        let what = options.target.describe(pid: pid, comm: comm, threads: seeds.count)
        return "thief: tracing \(what) via \(header.attach) (\(header.programs) programs); "
            + (options.duration.map { "for \(formatDuration($0)), " } ?? "") + "Ctrl+C to stop"
    }

    /// CLOCK_REALTIME in ns: when the window started, for people.
    /// CLOCK_BOOTTIME - CLOCK_MONOTONIC: the time the machine was suspended.
    private static func bootOffsetNs() -> UInt64 {
        var boot = timespec(), mono = timespec()
        clock_gettime(CLOCK_BOOTTIME, &boot)
        clock_gettime(CLOCK_MONOTONIC, &mono)
        let b = UInt64(boot.tv_sec) * 1_000_000_000 + UInt64(boot.tv_nsec)
        let m = UInt64(mono.tv_sec) * 1_000_000_000 + UInt64(mono.tv_nsec)
        return b > m ? b - m : 0
    }

    private static func realtimeNs() -> UInt64 {
        var wall = timespec()
        clock_gettime(CLOCK_REALTIME, &wall)
        return UInt64(wall.tv_sec) * 1_000_000_000 + UInt64(wall.tv_nsec)
    }
}
