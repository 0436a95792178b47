extension Report {
    /// One process of the target (`target.processes[]`).
    public struct ProcessReport: Codable, Sendable, Equatable {
        /// 0 for the `(others)` row that sums the processes past the cap.
        public var pid: UInt32
        public var comm: String
        public var threads: Int
        public var onCoreNs: UInt64
        public var runnableWaitNs: UInt64
        /// Outside tasks' run time inside its threads' waits.
        public var stolenNs: UInt64
        /// Other targets' run time inside its threads' waits.
        public var contentionNs: UInt64
        public var migrations: UInt64
        /// Its threads' runnable wait by cause (absent in older reports).
        public var byCause: ByCause?

        public init(
            pid: UInt32, comm: String, threads: Int, onCoreNs: UInt64, runnableWaitNs: UInt64, stolenNs: UInt64,
            contentionNs: UInt64, migrations: UInt64
        ) {
            self.pid = pid
            self.comm = comm
            self.threads = threads
            self.onCoreNs = onCoreNs
            self.runnableWaitNs = runnableWaitNs
            self.stolenNs = stolenNs
            self.contentionNs = contentionNs
            self.migrations = migrations
        }

        enum CodingKeys: String, CodingKey {
            case pid, comm, threads, onCoreNs = "on_core_ns", runnableWaitNs = "runnable_wait_ns"
            case stolenNs = "stolen_ns", contentionNs = "contention_ns", migrations
            case byCause = "runnable_wait_by_cause"
        }
    }

    /// The runnable wait by cause (`WaitCauses`), per waiting thread: every
    /// ns of every wait in exactly one cause, so they sum to the total.
    /// `throttled`, `idle` and `steal` are absent in reports from before
    /// they existed (read as 0). A cause the kernel cannot measure
    /// (`Unavailable`) is `null`: its ns stay in the cause the CPU was in.
    public struct ByCause: Codable, Sendable, Equatable {
        public var tasksNs: UInt64
        public var targetsNs: UInt64
        public var throttledNs: UInt64 = 0
        public var idleNs: UInt64 = 0
        public var stealNs: UInt64 = 0
        public var otherNs: UInt64
        /// The kernel could not tell these apart (written as null; always 0).
        public var throttledUnavailable = false
        public var stealUnavailable = false

        public init(_ c: WaitCauses) {
            (tasksNs, targetsNs, throttledNs) = (c.tasks, c.targets, c.throttled)
            (idleNs, stealNs, otherNs) = (c.idle, c.steal, c.other)
        }

        public var total: UInt64 { tasksNs &+ targetsNs &+ throttledNs &+ idleNs &+ stealNs &+ otherNs }

        enum CodingKeys: String, CodingKey {
            case tasksNs = "tasks_ns", targetsNs = "targets_ns", throttledNs = "throttled_ns", idleNs = "idle_ns"
            case stealNs = "steal_ns", otherNs = "other_ns"
        }

        public init(from d: Decoder) throws {
            let c = try d.container(keyedBy: CodingKeys.self)
            tasksNs = try c.decode(UInt64.self, forKey: .tasksNs)
            targetsNs = try c.decode(UInt64.self, forKey: .targetsNs)
            throttledUnavailable = try c.contains(.throttledNs) ? c.decodeNil(forKey: .throttledNs) : false
            stealUnavailable = try c.contains(.stealNs) ? c.decodeNil(forKey: .stealNs) : false
            throttledNs = try c.decodeIfPresent(UInt64.self, forKey: .throttledNs) ?? 0
            idleNs = try c.decodeIfPresent(UInt64.self, forKey: .idleNs) ?? 0
            stealNs = try c.decodeIfPresent(UInt64.self, forKey: .stealNs) ?? 0
            otherNs = try c.decode(UInt64.self, forKey: .otherNs)
        }

        public func encode(to e: Encoder) throws {
            var c = e.container(keyedBy: CodingKeys.self)
            try c.encode(tasksNs, forKey: .tasksNs)
            try c.encode(targetsNs, forKey: .targetsNs)
            if throttledUnavailable {
                try c.encodeNil(forKey: .throttledNs)
            } else {
                try c.encode(throttledNs, forKey: .throttledNs)
            }
            try c.encode(idleNs, forKey: .idleNs)
            if stealUnavailable { try c.encodeNil(forKey: .stealNs) } else { try c.encode(stealNs, forKey: .stealNs) }
            try c.encode(otherNs, forKey: .otherNs)
        }

        /// Marks what the kernel could not measure. Its ns are 0 there (the
        /// kernel side reads no clock: the time stayed in what the CPU ran);
        /// any that were measured anyway (THIEF_TEST_NO_FEATURE) move to
        /// `other`, so the causes still sum to the wait.
        public mutating func mark(_ unavailable: [Unavailable]) {
            if unavailable.contains(.throttled) {
                throttledUnavailable = true
                otherNs &+= throttledNs
                throttledNs = 0
            }
            if unavailable.contains(.steal) {
                stealUnavailable = true
                otherNs &+= stealNs
                stealNs = 0
            }
        }
    }
}
