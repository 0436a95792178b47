import FoundationEssentials
import Glibc

extension ProcFS {
    /// Every process now (its tgid), from the numeric entries of /proc.
    public static func processes() -> [Int32] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return names.compactMap { Int32($0) }.sorted()
    }

    /// The parent of a process (field 4 of /proc/PID/stat).
    public static func ppid(of pid: Int32) -> Int32? {
        guard let text = read("/proc/\(pid)/stat"), let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        return fields.count > 1 ? Int32(fields[1]) : nil
    }

    /// `roots` and every process descended from them now, each once, roots first.
    public static func descendants(of roots: [Int32]) -> [Int32] {
        var children: [Int32: [Int32]] = [:]
        for pid in processes() {
            if let parent = ppid(of: pid) { children[parent, default: []].append(pid) }
        }
        var out: [Int32] = []
        var seen = Set<Int32>()
        var queue = roots
        while let pid = queue.first {
            queue.removeFirst()
            guard seen.insert(pid).inserted else { continue }
            out.append(pid)
            queue += children[pid] ?? []
        }
        return out
    }

    /// The processes whose command name is exactly `name` (as `pgrep -x`), but
    /// `except`, and but zombies (they exited: nothing of theirs runs again).
    public static func processes(named name: String, except: Int32) -> [Int32] {
        processes().filter { pid in
            guard pid != except, comm(pid: pid) == name, let st = stat(pid: pid, tid: pid) else { return false }
            return st.state != "Z" && st.state != "X"
        }
    }
}
