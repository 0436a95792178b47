import CThiefABI

/// What a run knows at its end. Stored as the trailer of a recording.
public struct RunTrailer: Codable, Sendable, Equatable {
    public struct OpenThread: Codable, Sendable, Equatable {
        public var tid: UInt32
        public var tgid: UInt32
        public var onTs: UInt64
        public var offTs: UInt64
        public var waitTs: UInt64
        public var onCpu: UInt16
        public var running: UInt8
        public var waiting: UInt8
        public var offState: UInt8
        public var seenIn: UInt8
        /// The run queue a waiting thread is on (absent in older recordings).
        public var waitCpu: UInt16?

        public init(tid: UInt32, _ s: thief_tstate) {
            self.tid = tid
            tgid = s.tgid
            onTs = s.on_ts
            offTs = s.off_ts
            waitTs = s.wait_ts
            onCpu = s.on_cpu
            running = s.running
            waiting = s.waiting
            offState = s.off_state
            seenIn = s.seen_in
            waitCpu = s.waiting != 0 ? s.wait_cpu : nil
        }

        /// As the run's end sees it.
        public var kernel: KernelOpenThread { KernelOpenThread(tid: tid, state) }

        public var state: thief_tstate {
            var s = thief_tstate()
            s.tgid = tgid
            s.on_ts = onTs
            s.off_ts = offTs
            s.wait_ts = waitTs
            s.on_cpu = onCpu
            s.running = running
            s.waiting = waiting
            s.off_state = offState
            s.seen_in = seenIn
            s.wait_cpu = waitCpu ?? 0
            return s
        }
    }

    public var end: UInt64
    public var endReason: String
    public var exitStatus: Int32?
    public var lostEvents: UInt64
    public var missedSwitchEvents: UInt64
    public var open: [OpenThread]
    /// Threads with no event in the whole window: on-core ns from the kernel's books.
    public var untouched: [UInt32: UInt64]
    /// Thread names at the end (prctl renames send no event).
    public var names: [UInt32: String]
    /// --self-cost of the live run.
    public var selfCost: Report.SelfCost?
    /// With --interval: the kernel's counters as each interval closed (what
    /// the live run printed in it). Absent in older recordings.
    public var intervals: [IntervalCounters]?
    /// The cgroup paths, kernel symbols and CPU lists the reports named
    /// culprits with (absent in older recordings and runs with no culprit).
    public var culprits: CulpritNames?
    /// The quota that throttled the target, found during the run
    /// (`CPUQuotaWatch`); absent in older recordings and unthrottled runs:
    /// the header's, read at the start.
    public var cpuQuota: CPUQuota?

    public struct IntervalCounters: Codable, Sendable, Equatable {
        public var index: Int
        public var lostEvents: UInt64
        public var missedSwitchEvents: UInt64
        public init(index: Int, lostEvents: UInt64, missedSwitchEvents: UInt64) {
            self.index = index
            self.lostEvents = lostEvents
            self.missedSwitchEvents = missedSwitchEvents
        }
    }

    public init(
        end: UInt64, endReason: String, exitStatus: Int32?, lostEvents: UInt64, missedSwitchEvents: UInt64,
        open: [OpenThread], untouched: [UInt32: UInt64], names: [UInt32: String]
    ) {
        self.end = end
        self.endReason = endReason
        self.exitStatus = exitStatus
        self.lostEvents = lostEvents
        self.missedSwitchEvents = missedSwitchEvents
        self.open = open
        self.untouched = untouched
        self.names = names
    }
}
