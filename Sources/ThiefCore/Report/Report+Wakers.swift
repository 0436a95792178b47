extension Report {
    /// One waker of the target's threads (`wakers[]`): who, how often, the
    /// wake-up-to-run latency, and where its CPU was relative to the CPU the
    /// woken thread ran on (the distance counts sum to `count`).
    public struct WakerReport: Codable, Sendable, Equatable {
        public var pid: UInt32
        public var tgid: UInt32
        public var comm: String
        public var kthread: Bool
        /// "task", "hardirq" or "softirq".
        public var context: String
        public var count: UInt64
        public var totalNs: UInt64
        public var p50Ns: UInt64
        public var p99Ns: UInt64
        public var maxNs: UInt64
        public var sameCPU: UInt64
        public var sameCore: UInt64
        public var sameLLC: UInt64
        public var otherLLC: UInt64
        public var otherNode: UInt64
        /// Wake-ups across a CPU the topology does not know (absent when 0).
        public var unknown: UInt64?

        enum CodingKeys: String, CodingKey {
            case pid, tgid, comm, kthread, context, count, totalNs = "total_ns", p50Ns = "p50_ns"
            case p99Ns = "p99_ns", maxNs = "max_ns", sameCPU = "same_cpu", sameCore = "same_core"
            case sameLLC = "same_llc", otherLLC = "other_llc", otherNode = "other_node", unknown
        }

        init(_ a: Wakers.Account) {
            (pid, tgid, comm, kthread, context) = (a.pid, a.tgid, a.comm, a.kthread, a.context.rawValue)
            let l = a.latency
            (count, totalNs, p50Ns, p99Ns, maxNs) = (l.count, l.total, l.percentile(50), l.percentile(99), l.max)
            let d = a.distances
            (sameCPU, sameCore, sameLLC, otherLLC, otherNode) =
                (d.sameCPU, d.sameCore, d.sameLLC, d.otherLLC, d.otherNode)
            unknown = d.unknown > 0 ? d.unknown : nil
        }
    }

    /// Migrations by how far they moved (`migrations.by_distance`); they sum
    /// to `migrations.count`.
    public struct MigrationDistances: Codable, Sendable, Equatable {
        public var sameCore: UInt64
        public var sameLLC: UInt64
        public var otherLLC: UInt64
        public var otherNode: UInt64
        /// Across a CPU the topology does not know (absent when 0).
        public var unknown: UInt64?

        enum CodingKeys: String, CodingKey {
            case sameCore = "same_core", sameLLC = "same_llc", otherLLC = "other_llc", otherNode = "other_node"
            case unknown
        }

        public init(sameCore: UInt64, sameLLC: UInt64, otherLLC: UInt64, otherNode: UInt64, unknown: UInt64? = nil) {
            (self.sameCore, self.sameLLC, self.otherLLC, self.otherNode) = (sameCore, sameLLC, otherLLC, otherNode)
            self.unknown = unknown
        }

        /// A "migration" to the same CPU (only in a crafted recording) is unknown too, so the sum holds.
        public init(_ d: DistanceCounts) {
            (sameCore, sameLLC, otherLLC, otherNode) = (d.sameCore, d.sameLLC, d.otherLLC, d.otherNode)
            let u = d.unknown &+ d.sameCPU
            unknown = u > 0 ? u : nil
        }

        public var total: UInt64 { sameCore &+ sameLLC &+ otherLLC &+ otherNode &+ (unknown ?? 0) }
    }
}
