import FoundationEssentials
import Glibc

extension Topology {
    /// This machine's topology (`root`: /sys/devices/system, or a fixture
    /// tree in tests); nil when no CPU's topology is readable.
    public static func read(root: String = "/sys/devices/system") -> Topology? {
        let nodes = nodeMap(root + "/node")
        var list: [CPU] = []
        for (n, name) in numbered(root + "/cpu", prefix: "cpu") {
            if let c = cpu(n, dir: root + "/cpu/" + name, node: nodes[n]) { list.append(c) }
        }
        return list.isEmpty ? nil : Topology(cpus: list)
    }

    /// The entries `PREFIX<digits>` of a directory, with their numbers.
    static func numbered(_ dir: String, prefix: String) -> [(Int, String)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.compactMap { name in
            guard name.hasPrefix(prefix) else { return nil }
            let digits = name.dropFirst(prefix.count)
            guard !digits.isEmpty, digits.count <= 6, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
                let n = Int(digits), n <= maxCPU
            else { return nil }
            return (n, name)
        }.sorted { $0.0 < $1.0 }
    }

    /// One CPU; nil without a readable core and package.
    static func cpu(_ n: Int, dir: String, node: Int?) -> CPU? {
        guard let core = int(dir + "/topology/core_id"), let package = int(dir + "/topology/physical_package_id")
        else { return nil }
        let siblings = list(dir + "/topology/thread_siblings_list") ?? [n]
        return CPU(cpu: n, core: core, package: package, siblings: siblings, llc: llc(dir + "/cache"), node: node)
    }

    /// The last-level cache: level 3 where there is one, else the highest
    /// level present (instruction caches aside); named by its lowest CPU.
    static func llc(_ dir: String) -> Int? {
        var best: (level: Int, id: Int)?
        for (_, name) in numbered(dir, prefix: "index") {
            let d = dir + "/" + name
            guard let level = int(d + "/level"), level > 0, text(d + "/type") != "Instruction",
                let shared = list(d + "/shared_cpu_list")?.min()
            else { continue }
            if best == nil || level > best!.level { best = (level, shared) }
        }
        return best?.id
    }

    /// Each CPU's NUMA node, from nodeN/cpulist.
    static func nodeMap(_ dir: String) -> [Int: Int] {
        var out: [Int: Int] = [:]
        for (n, name) in numbered(dir, prefix: "node") {
            for c in list(dir + "/" + name + "/cpulist") ?? [] where out[c] == nil { out[c] = n }
        }
        return out
    }

    static func text(_ path: String) -> String? {
        ProcFS.read(path)?.trimming(.whitespacesAndNewlines)
    }

    static func int(_ path: String) -> Int? { text(path).flatMap { Int($0) } }

    /// A CPU list ("0-3,8"); nil if it is not one.
    static func list(_ path: String) -> [Int]? {
        text(path).flatMap { RunHeader.onlineCPUs($0) }?.filter { $0 <= maxCPU }
    }
}
