/// How the scheduler saw a task that ran while a target waited, read in the
/// kernel the first time it did (once per task).
public struct TaskIdentity: Sendable, Hashable {
    public var pid: UInt32
    public var tgid: UInt32
    public var time: UInt64
    public var policy: SchedPolicy?
    /// static_prio - 120 (meaningful for normal and batch).
    public var nice: Int32
    public var rtPriority: UInt32
    /// Its v2 cgroup: the inode number of the directory.
    public var cgroupID: UInt64
    public var cpusAllowedCount: UInt32
    /// CPUs 0-127 it may run on (bit i: CPU i).
    public var cpusAllowed: (UInt64, UInt64)

    public init(
        pid: UInt32, tgid: UInt32, time: UInt64, policy: SchedPolicy?, nice: Int32, rtPriority: UInt32,
        cgroupID: UInt64, cpusAllowedCount: UInt32, cpusAllowed: (UInt64, UInt64)
    ) {
        self.pid = pid
        self.tgid = tgid
        self.time = time
        self.policy = policy
        self.nice = nice
        self.rtPriority = rtPriority
        self.cgroupID = cgroupID
        self.cpusAllowedCount = cpusAllowedCount
        self.cpusAllowed = cpusAllowed
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.pid == b.pid && a.tgid == b.tgid && a.time == b.time && a.policy == b.policy && a.nice == b.nice
            && a.rtPriority == b.rtPriority && a.cgroupID == b.cgroupID && a.cpusAllowedCount == b.cpusAllowedCount
            && a.cpusAllowed == b.cpusAllowed
    }

    public func hash(into h: inout Hasher) {
        h.combine(pid)
        h.combine(time)
    }

    /// The allowed CPUs below `cpus` (the machine's count), ascending.
    public func allowedCPUs(below cpus: Int) -> [Int] {
        (0..<min(cpus, 128)).filter { i in
            let word = i < 64 ? cpusAllowed.0 : cpusAllowed.1
            return word >> UInt64(i % 64) & 1 == 1
        }
    }
}

/// Linux scheduling policies (include/uapi/linux/sched.h).
public enum SchedPolicy: UInt32, Sendable, Codable {
    case normal = 0
    case fifo = 1
    case rr = 2
    case batch = 3
    case idle = 5
    case deadline = 6
    case ext = 7

    public var name: String {
        switch self {
        case .normal: "normal"
        case .fifo: "fifo"
        case .rr: "rr"
        case .batch: "batch"
        case .idle: "idle"
        case .deadline: "deadline"
        case .ext: "ext"
        }
    }
}

extension TaskIdentity {
    /// The kernel says it may run on more CPUs than its mask below `cpus`
    /// shows (past CPU 127, or on CPUs not online when the run started):
    /// the list must come from /proc/PID/status instead.
    public func maskIsShort(below cpus: Int) -> Bool {
        Int(cpusAllowedCount) > allowedCPUs(below: cpus).count
    }
}
