extension Report {
    /// One of the window's longest runnable waits (`--worst N`): who waited,
    /// where, who woke it, and what held its CPU meanwhile, in time order.
    public struct WorstWait: Codable, Sendable, Equatable {
        public var tid: UInt32
        public var tgid: UInt32
        public var comm: String
        public var startNs: UInt64
        public var durationNs: UInt64
        /// Where it then ran.
        public var cpu: UInt32
        /// The run queue it waited on last.
        public var queueCpu: UInt32
        /// Who woke it (absent: preempted, or woken before tracing).
        public var waker: WaitWaker?
        /// The wait's causes (`runnable_wait.by_cause` of this one wait).
        public var causes: ByCause
        /// The timed stretches in time order, then the untimed causes (see docs/formats.md).
        public var culprits: [Culprit]
        /// The CPU's history no longer reached back to the wait's start:
        /// stretches at its beginning are missing (their time is in `other`).
        public var truncated: Bool

        public init(
            tid: UInt32, tgid: UInt32, comm: String, startNs: UInt64, durationNs: UInt64, cpu: UInt32,
            queueCpu: UInt32, waker: WaitWaker?, causes: ByCause, culprits: [Culprit], truncated: Bool
        ) {
            (self.tid, self.tgid, self.comm, self.startNs, self.durationNs) = (tid, tgid, comm, startNs, durationNs)
            (self.cpu, self.queueCpu, self.waker, self.causes) = (cpu, queueCpu, waker, causes)
            (self.culprits, self.truncated) = (culprits, truncated)
        }

        enum CodingKeys: String, CodingKey {
            case tid, tgid, comm, startNs = "start_ns", durationNs = "duration_ns", cpu, queueCpu = "queue_cpu"
            case waker, causes, culprits, truncated
        }
    }

    /// Who woke a thread (sched_waking, in the waker's context).
    public struct WaitWaker: Codable, Sendable, Equatable {
        public var pid: UInt32
        public var tgid: UInt32
        public var comm: String
        public var kthread: Bool
        /// "task", or "hardirq"/"softirq": woken from an interrupt (pid: the task it interrupted).
        public var context: String
        public var cpu: UInt32
        public var wakingNs: UInt64

        public init(
            pid: UInt32, tgid: UInt32, comm: String, kthread: Bool, context: String, cpu: UInt32, wakingNs: UInt64
        ) {
            (self.pid, self.tgid, self.comm, self.kthread) = (pid, tgid, comm, kthread)
            (self.context, self.cpu, self.wakingNs) = (context, cpu, wakingNs)
        }

        enum CodingKeys: String, CodingKey {
            case pid, tgid, comm, kthread, context, cpu, wakingNs = "waking_ns"
        }
    }

    /// What held a waiting thread's CPU. `kind`: "task" (another task ran),
    /// "target" (another target ran), "hardirq", "softirq", "sysvec" (an
    /// interrupt inside a target's run), with `start_ns`; or, untimed, from
    /// the wait's causes: "idle", "throttled", "steal", "other".
    public struct Culprit: Codable, Sendable, Equatable {
        public var kind: String
        public var startNs: UInt64?
        public var ns: UInt64
        public var pid: UInt32?
        public var tgid: UInt32?
        public var comm: String?
        public var kthread: Bool?
        /// A hard IRQ's line.
        public var irq: UInt32?
        /// An interrupt's source: the handler or vector name.
        public var name: String?

        public init(kind: String, startNs: UInt64? = nil, ns: UInt64) {
            (self.kind, self.startNs, self.ns) = (kind, startNs, ns)
        }

        enum CodingKeys: String, CodingKey {
            case kind, startNs = "start_ns", ns, pid, tgid, comm, kthread, irq, name
        }
    }
}
