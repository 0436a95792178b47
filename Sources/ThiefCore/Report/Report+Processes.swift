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
        }
    }

    /// The runnable wait by what ran instead: outside tasks (`thieves`), other
    /// targets (`contention`), and what is not split yet (`other`: wake-up
    /// latency on an idle CPU, waits no task's run covers). The three sum to
    /// the total.
    public struct ByCause: Codable, Sendable, Equatable {
        public var tasksNs: UInt64
        public var targetsNs: UInt64
        public var otherNs: UInt64

        public init(total: UInt64, tasks: UInt64, targets: UInt64) {
            // Steals are clipped to the run, waits to their window: never let
            // the causes exceed the total they split.
            tasksNs = min(tasks, total)
            targetsNs = min(targets, total - tasksNs)
            otherNs = total - tasksNs - targetsNs
        }

        enum CodingKeys: String, CodingKey {
            case tasksNs = "tasks_ns", targetsNs = "targets_ns", otherNs = "other_ns"
        }
    }
}
