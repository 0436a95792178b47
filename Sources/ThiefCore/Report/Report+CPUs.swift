extension Report {
    /// The target's time on one CPU (`cpus[]`), where from is in `CPUs`.
    /// `core`, `llc` and `node` come from the run's topology (absent when
    /// unknown): `core` is topology/core_id, `llc` the lowest-numbered CPU
    /// that shares its last-level cache.
    public struct CPUReport: Codable, Sendable, Equatable {
        public var cpu: Int
        public var core: Int?
        public var llc: Int?
        public var node: Int?
        public var onCoreNs: UInt64
        public var runnableWaitNs: UInt64
        public var stolenNs: UInt64
        public var contentionNs: UInt64
        public var irqNs: UInt64
        public var softirqNs: UInt64
        public var sysvecNs: UInt64

        public init(
            cpu: Int, core: Int?, llc: Int?, node: Int?, onCoreNs: UInt64, runnableWaitNs: UInt64,
            stolenNs: UInt64, contentionNs: UInt64, irqNs: UInt64, softirqNs: UInt64, sysvecNs: UInt64
        ) {
            (self.cpu, self.core, self.llc, self.node) = (cpu, core, llc, node)
            (self.onCoreNs, self.runnableWaitNs, self.stolenNs) = (onCoreNs, runnableWaitNs, stolenNs)
            (self.contentionNs, self.irqNs, self.softirqNs, self.sysvecNs) = (contentionNs, irqNs, softirqNs, sysvecNs)
        }

        enum CodingKeys: String, CodingKey {
            case cpu, core, llc, node, onCoreNs = "on_core_ns", runnableWaitNs = "runnable_wait_ns"
            case stolenNs = "stolen_ns", contentionNs = "contention_ns", irqNs = "irq_ns"
            case softirqNs = "softirq_ns", sysvecNs = "sysvec_ns"
        }
    }
}
