import FoundationEssentials
import Glibc

/// The machine's CPU topology, read from sysfs once at the start of a run and
/// saved in the recording's header (a replay on another machine must judge
/// distances by the machine that ran): for each CPU its core and SMT
/// siblings, package, last-level cache and NUMA node. A CPU whose files are
/// missing or unreadable is left out: its distances are unknown, never guessed.
public struct Topology: Codable, Sendable, Equatable {
    public struct CPU: Codable, Sendable, Equatable {
        public var cpu: Int
        /// topology/core_id: which core of its package.
        public var core: Int
        /// topology/physical_package_id.
        public var package: Int
        /// topology/thread_siblings_list: the CPUs of its core (itself included).
        public var siblings: [Int]
        /// The lowest-numbered CPU sharing its last-level cache (nil: sysfs has no cache information).
        public var llc: Int?
        /// Its NUMA node (nil: sysfs has no node directory).
        public var node: Int?

        public init(cpu: Int, core: Int, package: Int, siblings: [Int], llc: Int?, node: Int?) {
            (self.cpu, self.core, self.package, self.siblings) = (cpu, core, package, siblings)
            (self.llc, self.node) = (llc, node)
        }
    }

    /// CPU numbers above this are dropped (records carry 16-bit CPUs).
    public static let maxCPU = 65_535

    /// Sorted by CPU, one entry each.
    public private(set) var cpus: [CPU]
    /// cpus' index of each CPU number, -1 where unknown: a lookup per event.
    private var index: [Int32]

    public init(cpus list: [CPU]) {
        var seen = Set<Int>()
        cpus = list.filter { $0.cpu >= 0 && $0.cpu <= Topology.maxCPU && seen.insert($0.cpu).inserted }
            .sorted { $0.cpu < $1.cpu }
        index = [Int32](repeating: -1, count: (cpus.last?.cpu ?? -1) + 1)
        for (i, c) in cpus.enumerated() { index[c.cpu] = Int32(i) }
    }

    enum CodingKeys: String, CodingKey { case cpus }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(cpus: try c.decode([CPU].self, forKey: .cpus))
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(cpus, forKey: .cpus)
    }

    public subscript(cpu: Int) -> CPU? {
        guard cpu >= 0, cpu < index.count, index[cpu] >= 0 else { return nil }
        return cpus[Int(index[cpu])]
    }

    /// How far apart CPUs `a` and `b` are; nil when the topology does not
    /// know one of them (the same CPU needs no topology).
    public static func distance(_ t: Topology?, _ a: Int, _ b: Int) -> CPUDistance? {
        if a == b { return .sameCPU }
        guard let x = t?[a], let y = t?[b] else { return nil }
        if let m = x.node, let n = y.node, m != n { return .otherNode }
        if (x.package == y.package && x.core == y.core) || x.siblings.contains(b) { return .sameCore }
        guard let l = x.llc, let k = y.llc else { return nil }
        return l == k ? .sameLLC : .otherLLC
    }
}
