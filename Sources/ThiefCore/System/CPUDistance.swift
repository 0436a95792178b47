/// How far apart two CPUs are, nearest first: what a wake-up or a migration
/// across them costs in caches (an SMT sibling shares L1/L2, a CPU of the
/// same last-level cache shares L3, another NUMA node shares no cache and
/// has remote memory).
public enum CPUDistance: Int, CaseIterable, Sendable {
    case sameCPU, sameCore, sameLLC, otherLLC, otherNode

    /// The JSON key.
    public var name: String {
        switch self {
        case .sameCPU: "same_cpu"
        case .sameCore: "same_core"
        case .sameLLC: "same_llc"
        case .otherLLC: "other_llc"
        case .otherNode: "other_node"
        }
    }
}
