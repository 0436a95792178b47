/// What the report says besides the numbers.
public struct ReportMeta: Sendable {
    public var version: String
    public var host: String
    public var kernel: String
    public var pid: Int32
    public var comm: String
    public var command: [String]?
    public var exitStatus: Int32?
    public var startTime: String
    public var endReason: String
    public var lostEvents: UInt64
    public var missedSwitchEvents: UInt64
    public var attach: String
    public var programs: Int
    /// Wall clock at the window's start, ns since the epoch (0: unknown).
    public var startEpochNs: UInt64 = 0
    /// Set for the reports of `--interval`.
    public var interval: Report.Interval?
    /// Set with --self-cost.
    public var selfCost: Report.SelfCost?
    /// The machine's online CPUs (nil: unknown, e.g. an older recording).
    public var cpusOnline: Int?
    /// What was traced, and the cgroup of a cgroup target.
    public var kind: TargetKind?
    public var cgroup: String?
    public var cpuQuota: CPUQuota?
    public var tracerPid: Int32?
    /// Names of culprits read outside the event stream (cgroup paths, kernel
    /// symbols), from the live run or the recording's trailer.
    public var culprits: CulpritNames?
    /// What the kernel could not measure (nil: an older recording, not probed).
    public var unavailable: [Unavailable]?
    /// The kernel is PREEMPT_RT (nil: not, or not known).
    public var preemptRT: Bool?
    /// CPUs below this number are the machine's: identity masks are read up to it (nil: 128).
    public var cpuBound: Int?

    public init(
        version: String, host: String, kernel: String, pid: Int32, comm: String,
        command: [String]? = nil, exitStatus: Int32? = nil, startTime: String,
        endReason: String, lostEvents: UInt64, missedSwitchEvents: UInt64 = 0,
        attach: String, programs: Int
    ) {
        self.version = version
        self.host = host
        self.kernel = kernel
        self.pid = pid
        self.comm = comm
        self.command = command
        self.exitStatus = exitStatus
        self.startTime = startTime
        self.endReason = endReason
        self.lostEvents = lostEvents
        self.missedSwitchEvents = missedSwitchEvents
        self.attach = attach
        self.programs = programs
    }
}
