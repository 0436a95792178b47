import Foundation
import Testing

@testable import ThiefCore

/// Topology from committed sysfs trees (Fixtures/sysfs-*): SMT siblings, two
/// last-level caches, two NUMA nodes, and a tree of garbage.
@Suite("CPU topology")
struct TopologyTests {
    static func fixture(_ name: String) throws -> Topology {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/sysfs-\(name)").path
        return try #require(Topology.read(root: root), "no topology in \(root)")
    }

    @Test("SMT siblings are the same core; the other core shares the LLC")
    func smt() throws {
        let t = try Self.fixture("smt")
        #expect(t.cpus.map(\.cpu) == [0, 1, 2, 3])
        #expect(t[2] == Topology.CPU(cpu: 2, core: 0, package: 0, siblings: [0, 2], llc: 0, node: 0))
        #expect(Topology.distance(t, 0, 2) == .sameCore)
        #expect(Topology.distance(t, 3, 1) == .sameCore)
        #expect(Topology.distance(t, 0, 1) == .sameLLC)
        #expect(Topology.distance(t, 2, 2) == .sameCPU)
    }

    @Test("two last-level caches on one node")
    func twoLLCs() throws {
        let t = try Self.fixture("2llc")
        #expect(t.cpus.map(\.llc) == [0, 0, 2, 2])
        #expect(Topology.distance(t, 0, 1) == .sameLLC)
        #expect(Topology.distance(t, 1, 2) == .otherLLC)
        #expect(Topology.distance(t, 3, 0) == .otherLLC)
    }

    @Test("two NUMA nodes; without an L3 the highest cache level is the LLC")
    func numa() throws {
        let t = try Self.fixture("numa")
        #expect(t.cpus.map(\.node) == [0, 0, 1, 1])
        #expect(t.cpus.map(\.llc) == [0, 0, 2, 2])
        #expect(Topology.distance(t, 0, 1) == .sameLLC)
        #expect(Topology.distance(t, 1, 2) == .otherNode)
        // core_id repeats across packages: core 0 of package 1 is not cpu0's core.
        #expect(Topology.distance(t, 0, 2) == .otherNode)
    }

    @Test("garbage and missing files make a CPU unknown, never a trap")
    func hostile() throws {
        let t = try Self.fixture("hostile")
        #expect(t.cpus.map(\.cpu) == [0, 3])
        #expect(t[0] == Topology.CPU(cpu: 0, core: 0, package: 0, siblings: [0], llc: 0, node: nil))
        #expect(t[3] == Topology.CPU(cpu: 3, core: 3, package: 0, siblings: [3], llc: 3, node: 1))
        #expect(t[1] == nil && t[2] == nil && t[4] == nil && t[-1] == nil && t[1 << 40] == nil)
        #expect(Topology.distance(t, 0, 1) == nil)
        #expect(Topology.distance(t, 0, 3) == .otherLLC)
        #expect(Topology.distance(nil, 5, 5) == .sameCPU)
        #expect(Topology.distance(nil, 5, 6) == nil)
        #expect(Topology.read(root: "/nonexistent") == nil)
    }

    @Test("a crafted topology decodes without trapping; out-of-range and repeated CPUs are dropped")
    func decodeHostile() throws {
        let json = """
            {"cpus":[{"cpu":-5,"core":0,"package":0,"siblings":[]},{"cpu":70000,"core":0,"package":0,"siblings":[]},
            {"cpu":1,"core":1,"package":0,"siblings":[1],"llc":0},{"cpu":1,"core":9,"package":9,"siblings":[]}]}
            """
        let t = try JSONDecoder().decode(Topology.self, from: Data(json.utf8))
        #expect(t.cpus.map(\.cpu) == [1])
        #expect(t[1]?.core == 1)
        let again = try JSONDecoder().decode(Topology.self, from: JSONEncoder().encode(t))
        #expect(again == t)
    }

    @Test("this machine's topology, if sysfs has one, knows every online CPU")
    func thisMachine() {
        guard let t = Topology.read(), let online = RunHeader.onlineCPUs() else { return }
        for c in online { #expect(t[c] != nil) }
    }
}
