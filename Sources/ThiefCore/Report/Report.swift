/// The report: what every renderer reads. Encodes to the JSON contract
/// (schema 1, docs/formats.md "JSON report"); all times are nanoseconds.
public struct Report: Codable, Sendable, Equatable {
    public static let schemaVersion = 1

    public var schema = Report.schemaVersion
    public var tool = "thief"
    public var version: String
    public var host: String
    public var kernel: String
    public var target: Target
    public var window: Window
    public var migrations: Migrations
    public var onCore: Stats
    public var offCore: Stats
    public var runnableWait: Stats
    public var thieves: [Thief]
    /// Other targets that ran on a target's CPU while it waited (contention
    /// among targets); absent in reports made before thief measured it.
    public var contention: [Thief]?
    public var irqs: [IRQ]
    public var softirqs: [IRQ]
    public var systemVectors: [IRQ]
    public var lostEvents: UInt64
    /// sched_switch events of a target that the kernel did not deliver to
    /// the tracer; the affected slices were rebuilt from se.sum_exec_runtime.
    public var missedSwitchEvents: UInt64
    public var records: UInt64
    public var tracer: Tracer
    /// Present in the reports of `--interval`: which interval of the run.
    public var interval: Interval?
    /// What to change (`Advisor`), when asked for; absent otherwise.
    public var advice: [Advice]? = nil
    /// The window's longest runnable waits, longest first (`--worst N`; absent with `--worst 0` and in older reports).
    public var worstWaits: [WorstWait]? = nil
    /// Who woke the target's threads, most wake-ups first (absent in older reports).
    public var wakers: [WakerReport]? = nil
    /// The target's time by CPU (absent in older reports).
    public var cpus: [CPUReport]? = nil

    public struct Interval: Codable, Sendable, Equatable {
        public var index: Int
        public var lengthNs: UInt64
        public init(index: Int, lengthNs: UInt64) {
            self.index = index
            self.lengthNs = lengthNs
        }
        enum CodingKeys: String, CodingKey { case index, lengthNs = "length_ns" }
    }

    enum CodingKeys: String, CodingKey {
        case schema, tool, version, host, kernel, target, window, migrations
        case onCore = "on_core", offCore = "off_core", runnableWait = "runnable_wait"
        case thieves, contention, irqs, softirqs, systemVectors = "system_vectors"
        case lostEvents = "lost_events", missedSwitchEvents = "missed_switch_events", records, tracer, interval
        case advice
        case worstWaits = "worst_waits"
        case wakers, cpus
    }

    public struct Target: Codable, Sendable, Equatable {
        public var pid: Int32
        public var comm: String
        /// argv of `thief -- CMD`, nil with -p/-t.
        public var command: [String]?
        /// The launched command's exit status (128+N for signal N), if it ended.
        public var exitStatus: Int32?
        public var threads: [ThreadReport]
        /// What was traced (absent in older reports).
        public var kind: TargetKind?
        /// The cgroup's path below the v2 root, for --cgroup and --unit.
        public var cgroup: String?
        /// One row per process, most runnable wait first (absent in older reports).
        public var processes: [ProcessReport]?
        /// The CPU quota it ran under (absent: none, or an older report).
        public var cpuQuota: CPUQuota? = nil

        enum CodingKeys: String, CodingKey {
            case pid, comm, command, exitStatus = "exit_status", threads, kind, cgroup, processes
            case cpuQuota = "cpu_quota"
        }
    }

    public struct ThreadReport: Codable, Sendable, Equatable {
        public var tid: UInt32
        public var tgid: UInt32
        public var comm: String
        public var onCoreNs: UInt64
        public var offCoreNs: UInt64
        public var slices: UInt64
        public var runnableWaitNs: UInt64
        public var migrations: UInt64
        public var startNs: UInt64
        public var endNs: UInt64
        public var exited: Bool
        /// Its runnable wait by cause (absent in older reports).
        public var byCause: ByCause?
        /// A row of exited threads summed (tid 0): how many (absent for a thread's own row).
        public var threadsFolded: Int? = nil

        enum CodingKeys: String, CodingKey {
            case tid, tgid, comm, onCoreNs = "on_core_ns", offCoreNs = "off_core_ns", slices
            case runnableWaitNs = "runnable_wait_ns", migrations
            case startNs = "start_ns", endNs = "end_ns", exited, byCause = "runnable_wait_by_cause"
            case threadsFolded = "threads_folded"
        }
    }

    public struct Window: Codable, Sendable, Equatable {
        public var startNs: UInt64
        public var endNs: UInt64
        public var durationNs: UInt64
        /// Wall-clock start, RFC 3339 (UTC), and in ns since the epoch.
        public var startTime: String
        public var startEpochNs: UInt64
        public var cpusSeen: [Int]
        /// The machine's online CPUs when the run started (absent if unknown).
        public var cpusOnline: Int?
        /// Why the run ended: "duration", "signal", "target-exited".
        public var endReason: String

        enum CodingKeys: String, CodingKey {
            case startNs = "start_ns", endNs = "end_ns", durationNs = "duration_ns"
            case startTime = "start_time", startEpochNs = "start_epoch_ns", cpusSeen = "cpus_seen", cpusOnline =
                "cpus_online", endReason = "end_reason"
        }
    }

    public struct Migrations: Codable, Sendable, Equatable {
        public var count: UInt64
        public var atWakeup: UInt64
        public var whileQueued: UInt64
        public var whileRunning: UInt64
        /// By distance between origin and destination (absent in older reports).
        public var byDistance: MigrationDistances? = nil

        enum CodingKeys: String, CodingKey {
            case count, atWakeup = "at_wakeup", whileQueued = "while_queued", whileRunning = "while_running"
            case byDistance = "by_distance"
        }
    }

    public struct Bucket: Codable, Sendable, Equatable {
        public var lowNs: UInt64
        public var highNs: UInt64
        public var count: UInt64
        enum CodingKeys: String, CodingKey { case lowNs = "low_ns", highNs = "high_ns", count }
    }

    public struct Stats: Codable, Sendable, Equatable {
        public var totalNs: UInt64
        public var count: UInt64
        /// Share of the thread-time in the window (sum of per-thread windows), 0...1.
        public var pct: Double
        public var minNs: UInt64
        public var avgNs: UInt64
        public var p50Ns: UInt64
        public var p90Ns: UInt64
        public var p99Ns: UInt64
        public var maxNs: UInt64
        public var hist: [Bucket]
        public var byState: ByState?
        /// The runnable wait by what took the CPU (runnable_wait only).
        public var byCause: ByCause?
        /// The optional keys (`p90_ns`, `pct`, `min_ns`, `avg_ns`) a decoded report
        /// lacked; they read as 0 here, and a gate rule on one is an error. Not encoded.
        public var absent: Set<String> = []

        enum CodingKeys: String, CodingKey {
            case totalNs = "total_ns", count, pct, minNs = "min_ns", avgNs = "avg_ns"
            case p50Ns = "p50_ns", p90Ns = "p90_ns", p99Ns = "p99_ns", maxNs = "max_ns", hist
            case byState = "by_state", byCause = "by_cause"
        }
    }

    public struct Thief: Codable, Sendable, Equatable {
        public var pid: UInt32
        public var tgid: UInt32
        public var comm: String
        public var count: UInt64
        public var stolenNs: UInt64
        public var maxNs: UInt64
        public var kthread: Bool
        /// true in `contention`: the task is a target itself (absent in `thieves`).
        public var target: Bool?
        /// How the scheduler saw it (the kernel's identity record; absent in
        /// older recordings): policy name, nice, RT priority, its v2 cgroup's
        /// path and the CPUs it may run on ("0-3,8").
        public var policy: String? = nil
        public var nice: Int32? = nil
        public var rtPriority: UInt32? = nil
        public var cgroup: String? = nil
        public var cpusAllowed: String? = nil
        /// A kworker's workqueue functions inside the waits, most time first.
        public var work: [Work]? = nil
        /// Interrupt work run as a thread (`InterruptThread`; absent for any
        /// other task): an IRQ thread's IRQ number and handler name.
        public var kind: InterruptThread.Kind? = nil
        public var irq: UInt32? = nil
        public var irqName: String? = nil
        enum CodingKeys: String, CodingKey {
            case pid, tgid, comm, count, stolenNs = "stolen_ns", maxNs = "max_ns", kthread, target
            case policy, nice, rtPriority = "rt_priority", cgroup, cpusAllowed = "cpus_allowed", work
            case kind, irq, irqName = "irq_name"
        }
    }

    /// A hard IRQ (irq + handler name), softirq (vector name) or system vector.
    public struct IRQ: Codable, Sendable, Equatable {
        public var irq: UInt32?
        public var vector: String?
        public var name: String
        public var count: UInt64
        public var totalNs: UInt64
        public var minNs: UInt64
        public var avgNs: UInt64
        public var maxNs: UInt64
        enum CodingKeys: String, CodingKey {
            case irq, vector, name, count, totalNs = "total_ns", minNs = "min_ns", avgNs = "avg_ns", maxNs = "max_ns"
        }
    }

    public struct Tracer: Codable, Sendable, Equatable {
        /// "tp_btf" or "raw_tp".
        public var attach: String
        public var programs: Int
        /// thief's own PID (absent in older reports).
        public var pid: Int32? = nil
        /// What tracing cost (--self-cost): kernel time in thief's BPF
        /// programs, how often they ran, and the consumer's CPU time.
        public var selfCost: SelfCost?
        /// What this kernel cannot measure (absent in older reports; empty: everything).
        public var unavailable: [Unavailable]? = nil
        /// The kernel is PREEMPT_RT (/sys/kernel/realtime; absent in older reports and elsewhere).
        public var preemptRT: Bool? = nil
        enum CodingKeys: String, CodingKey {
            case attach, programs, selfCost = "self_cost", pid, unavailable, preemptRT = "preempt_rt"
        }
    }

    public struct SelfCost: Codable, Sendable, Equatable {
        public var bpfRunNs: UInt64
        public var bpfRuns: UInt64
        public var consumerCpuNs: UInt64
        public var peakRssKb: UInt64
        /// Records the kernel side sent through the ring buffer, and those it
        /// still held when tracing stopped (read from its per-CPU batches at
        /// the end); absent from reports made before they were counted.
        public var recordsSent: UInt64?
        public var recordsHeldAtEnd: UInt64?
        public init(
            bpfRunNs: UInt64, bpfRuns: UInt64, consumerCpuNs: UInt64, peakRssKb: UInt64, recordsSent: UInt64? = nil,
            recordsHeldAtEnd: UInt64? = nil
        ) {
            self.bpfRunNs = bpfRunNs
            self.bpfRuns = bpfRuns
            self.consumerCpuNs = consumerCpuNs
            self.peakRssKb = peakRssKb
            self.recordsSent = recordsSent
            self.recordsHeldAtEnd = recordsHeldAtEnd
        }
        enum CodingKeys: String, CodingKey {
            case bpfRunNs = "bpf_run_ns", bpfRuns = "bpf_runs", consumerCpuNs = "consumer_cpu_ns", peakRssKb =
                "peak_rss_kb"
            case recordsSent = "records_sent", recordsHeldAtEnd = "records_held_at_end"
        }
    }
}

extension Report.Stats {
    /// Design section 4 promises total, count, p50, p99, max and hist; `p90_ns`,
    /// `pct`, `min_ns` and `avg_ns` may be missing from a saved report. They read
    /// as 0 and are listed in `absent` (in an extension: the memberwise init stays).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var absent: Set<String> = []
        func optional<T: Decodable>(_ key: CodingKeys, _ zero: T) throws -> T {
            if let value = try c.decodeIfPresent(T.self, forKey: key) { return value }
            absent.insert(key.stringValue)
            return zero
        }
        totalNs = try c.decode(UInt64.self, forKey: .totalNs)
        count = try c.decode(UInt64.self, forKey: .count)
        pct = try optional(.pct, 0.0)
        minNs = try optional(.minNs, UInt64(0))
        avgNs = try optional(.avgNs, UInt64(0))
        p50Ns = try c.decode(UInt64.self, forKey: .p50Ns)
        p90Ns = try optional(.p90Ns, UInt64(0))
        p99Ns = try c.decode(UInt64.self, forKey: .p99Ns)
        maxNs = try c.decode(UInt64.self, forKey: .maxNs)
        hist = try c.decode([Report.Bucket].self, forKey: .hist)
        byState = try c.decodeIfPresent(Report.ByState.self, forKey: .byState)
        byCause = try c.decodeIfPresent(Report.ByCause.self, forKey: .byCause)
        self.absent = absent
    }
}
