import FoundationEssentials
import Glibc

/// What a run knows before its first record: everything the report needs
/// besides the records. Stored as the header of a recording.
public struct RunHeader: Codable, Sendable, Equatable {
    /// The threads that existed at the start (state absent in recordings made before thief stored it).
    public typealias Seed = ThreadSeed

    public var abiVersion = Record.abiVersion
    public var recordSize = Record.size
    public var version: String
    public var host: String
    public var kernel: String
    public var pid: Int32
    public var comm: String
    public var command: [String]?
    /// CLOCK_MONOTONIC at the window's start, and the wall clock then (ns since the epoch).
    public var runStart: UInt64
    public var startEpochNs: UInt64
    public var attach: String
    public var programs: Int
    public var seeds: [Seed]
    /// What was traced (absent in older recordings: `command` or `process`),
    /// and the cgroup's path for a cgroup target.
    public var targetKind: TargetKind?
    public var cgroup: String?
    /// The CPU quota the target ran under, read at the start.
    public var cpuQuota: CPUQuota?
    /// thief's own process (its consumer shows up among the thieves; advice skips it).
    public var tracerPid: Int32?
    /// CLOCK_BOOTTIME - CLOCK_MONOTONIC at the start (a Perfetto trace's clock).
    public var bootOffsetNs: UInt64?
    /// The live run's --interval and --count, if any.
    public var interval: UInt64?
    public var intervalCount: Int?
    /// The machine's online CPUs when the run started: how many, and which
    /// (absent in older recordings).
    public var cpus: Int?
    public var onlineCPUs: [Int]?
    /// The live run's --worst (absent in older recordings: the default).
    public var worstWaits: Int?
    /// The machine's CPU topology (absent in older recordings, or where sysfs
    /// has none): a replay judges CPU distances by the machine that ran.
    public var topology: Topology?
    /// What the kernel could not measure, probed at the start (absent in
    /// older recordings: not probed).
    public var unavailable: [Unavailable]?
    /// The kernel is PREEMPT_RT (/sys/kernel/realtime is 1; absent elsewhere).
    public var preemptRT: Bool?

    /// `onlineCPUs`: by default this machine's (/sys/devices/system/cpu/online).
    public init(
        version: String, host: String, kernel: String, pid: Int32, comm: String, command: [String]?,
        runStart: UInt64, startEpochNs: UInt64, attach: String, programs: Int, seeds: [Seed],
        onlineCPUs: [Int]? = RunHeader.onlineCPUs()
    ) {
        self.version = version
        self.host = host
        self.kernel = kernel
        self.pid = pid
        self.comm = comm
        self.command = command
        self.runStart = runStart
        self.startEpochNs = startEpochNs
        self.attach = attach
        self.programs = programs
        self.seeds = seeds
        self.onlineCPUs = onlineCPUs
        self.cpus = onlineCPUs?.count
    }

    /// This machine's online CPUs, from /sys/devices/system/cpu/online ("0-3,6").
    public static func onlineCPUs(_ text: String? = ProcFS.read("/sys/devices/system/cpu/online")) -> [Int]? {
        guard let text else { return nil }
        var out: [Int] = []
        for part in text.split(whereSeparator: { $0 == "," || $0 == "\n" || $0 == " " }) {
            let ends = part.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
            switch ends.count {
            case 1:
                guard let a = ends[0], a >= 0 else { return nil }
                out.append(a)
            case 2:
                guard let a = ends[0], let b = ends[1], a >= 0, a <= b, b - a < 65_536 else { return nil }
                out += Array(a...b)
            default: return nil
            }
        }
        return out.isEmpty ? nil : out
    }
}

extension RunHeader {
    /// The report metadata of a window of this run. Live runs and replays
    /// both build reports through here, so they agree byte for byte.
    public func meta(
        window: Window, trailer: RunTrailer?, intervalIndex: Int?, interval: UInt64?,
        lostSoFar: UInt64, missedSoFar: UInt64
    ) -> ReportMeta {
        let offset = window.start >= runStart ? window.start - runStart : 0
        var m = ReportMeta(
            version: version, host: host, kernel: kernel, pid: pid,
            comm: window.threads[UInt32(bitPattern: pid)]?.comm.nonEmptyOr(comm) ?? comm,
            command: command, exitStatus: trailer?.exitStatus,
            startTime: RFC3339.format(epochNs: startEpochNs &+ offset),
            endReason: trailer?.endReason ?? "interval",
            lostEvents: trailer?.lostEvents ?? lostSoFar,
            missedSwitchEvents: trailer?.missedSwitchEvents ?? missedSoFar,
            attach: attach, programs: programs)
        m.startEpochNs = startEpochNs &+ offset
        m.cpusOnline = cpus
        m.kind = targetKind ?? (command == nil ? .process : .command)
        m.cgroup = cgroup
        m.cpuQuota = trailer?.cpuQuota ?? cpuQuota
        m.tracerPid = tracerPid
        m.unavailable = unavailable
        m.preemptRT = preemptRT
        if let intervalIndex, let interval { m.interval = Report.Interval(index: intervalIndex, lengthNs: interval) }
        m.selfCost = trailer?.selfCost
        m.culprits = trailer?.culprits
        m.cpuBound = cpuBound
        return m
    }
}

extension RunHeader {
    /// Identity masks mean nothing past the highest CPU online at the start.
    public var cpuBound: Int { onlineCPUs?.max().map { min($0 + 1, 128) } ?? 128 }
}

extension String {
    func nonEmptyOr(_ other: String) -> String { isEmpty ? other : self }
}
