import FoundationEssentials
import Glibc

/// Reads the kernel's own books under /proc: thread lists, names, states and
/// the scheduler accounting thief is checked against.
public enum ProcFS {
    public static func exists(_ pid: Int32) -> Bool {
        FileManager.default.fileExists(atPath: "/proc/\(pid)/stat")
    }

    public static func read(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// Thread ids of a process (empty if it is gone).
    public static func threads(of pid: Int32) -> [Int32] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return names.compactMap { Int32($0) }.sorted()
    }

    public static func comm(pid: Int32, tid: Int32? = nil) -> String? {
        let path = tid.map { "/proc/\(pid)/task/\($0)/comm" } ?? "/proc/\(pid)/comm"
        return read(path)?.trimming(.newlines)
    }

    /// Tgid of a task (a thread id works too).
    public static func tgid(of tid: Int32) -> Int32? {
        status(tid)?["Tgid"].flatMap { Int32($0) }
    }

    public static func status(_ pid: Int32) -> [String: String]? {
        guard let text = read("/proc/\(pid)/status") else { return nil }
        var out: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            out[String(line[..<colon])] = line[line.index(after: colon)...].trimming(.whitespaces)
        }
        return out
    }

    /// The state letter and last CPU of a thread (/proc/PID/task/TID/stat fields 3 and 39).
    public static func stat(pid: Int32, tid: Int32) -> (state: Character, cpu: Int)? {
        read("/proc/\(pid)/task/\(tid)/stat").flatMap { stat(text: $0) }
    }

    /// `stat(pid:tid:)` on the text of a stat file.
    public static func stat(text: String) -> (state: Character, cpu: Int)? {
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 36, let state = fields[0].first else { return nil }
        return (state, Int(fields[36]) ?? 0)
    }

    /// The scheduler's books for one thread.
    public struct SchedBooks: Sendable, Equatable {
        /// se.sum_exec_runtime, ns.
        public var sumExecRuntime: UInt64
        public var nrMigrations: UInt64
        public var nrSwitches: UInt64
        /// schedstat: time on CPU, run_delay (ns), timeslices.
        public var runDelay: UInt64
    }

    public static func sched(pid: Int32, tid: Int32) -> SchedBooks? {
        guard let text = read("/proc/\(pid)/task/\(tid)/sched"),
            let schedstat = read("/proc/\(pid)/task/\(tid)/schedstat")
        else { return nil }
        return sched(text: text, schedstat: schedstat)
    }

    /// `sched(pid:tid:)` on the texts of the sched and schedstat files.
    public static func sched(text: String, schedstat: String) -> SchedBooks? {
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            values[parts[0].trimming(.whitespaces)] = parts[1].trimming(.whitespaces)
        }
        let ss = schedstat.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard let sum = values["se.sum_exec_runtime"].flatMap(parseMillis),
            let mig = values["se.nr_migrations"].flatMap({ UInt64($0) }),
            let sw = values["nr_switches"].flatMap({ UInt64($0) }),
            ss.count >= 2, let delay = UInt64(ss[1])
        else { return nil }
        return SchedBooks(sumExecRuntime: sum, nrMigrations: mig, nrSwitches: sw, runDelay: delay)
    }

    /// "/proc/.../sched" prints ns as milliseconds with 6 decimals: "1234.567890".
    static func parseMillis(_ s: String) -> UInt64? {
        let parts = s.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let first = parts.first, !first.isEmpty, let ms = UInt64(first) else { return nil }
        var frac: UInt64 = 0
        if parts.count == 2 {
            let given = parts[1].prefix(6)
            let digits = given + String(repeating: "0", count: 6 - given.count)
            guard let f = UInt64(digits) else { return nil }
            frac = f
        }
        // (More ms than UInt64 ns hold is no value a kernel prints: nil, not a trap.)
        let (ns, over) = ms.multipliedReportingOverflow(by: 1_000_000)
        guard !over, ns <= UInt64.max - frac else { return nil }
        return ns + frac
    }
}
