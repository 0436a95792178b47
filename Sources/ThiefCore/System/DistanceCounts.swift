/// Counts of CPU pairs by distance; `unknown`: a CPU the topology does not
/// know (or no topology at all). Plain fields: adding one never allocates.
public struct DistanceCounts: Sendable, Equatable {
    public var sameCPU: UInt64 = 0
    public var sameCore: UInt64 = 0
    public var sameLLC: UInt64 = 0
    public var otherLLC: UInt64 = 0
    public var otherNode: UInt64 = 0
    public var unknown: UInt64 = 0

    public init() {}

    @inline(__always)
    public mutating func add(_ d: CPUDistance?) {
        switch d {
        case .sameCPU: sameCPU &+= 1
        case .sameCore: sameCore &+= 1
        case .sameLLC: sameLLC &+= 1
        case .otherLLC: otherLLC &+= 1
        case .otherNode: otherNode &+= 1
        case nil: unknown &+= 1
        }
    }

    public static func += (a: inout DistanceCounts, b: DistanceCounts) {
        a.sameCPU &+= b.sameCPU
        a.sameCore &+= b.sameCore
        a.sameLLC &+= b.sameLLC
        a.otherLLC &+= b.otherLLC
        a.otherNode &+= b.otherNode
        a.unknown &+= b.unknown
    }

    public var total: UInt64 { sameCPU &+ sameCore &+ sameLLC &+ otherLLC &+ otherNode &+ unknown }
}
