import ThiefCore

/// What the report's first line calls the target, before its thread count:
/// the command, the cgroup, or every process traced when there were several
/// (`--comm` and `-p A,B` named only the first), up to `maxPIDs` of them.
enum TargetName {
    static let maxPIDs = 10

    static func of(_ r: Report) -> String {
        if let argv = r.target.command { return "'\(argv.joined(separator: " "))' (\(r.target.comm))" }
        if r.target.kind == .cgroup { return "cgroup \(r.target.cgroup ?? "?") (\(r.target.comm))" }
        let pids = processIDs(r)
        if pids.isEmpty && r.target.kind == .comm { return "no process named '\(r.target.comm)' appeared" }
        guard pids.count > 1, r.target.kind == .comm || r.target.kind == .processes else {
            return "PID \(r.target.pid) (\(r.target.comm))"
        }
        let shown = pids.prefix(maxPIDs).map(String.init).joined(separator: ",")
        let more = pids.count > maxPIDs ? " and \(pids.count - maxPIDs) more" : ""
        return "PIDs \(shown)\(more) (\(r.target.comm))"
    }

    /// The traced processes' ids, in the order of their first thread.
    static func processIDs(_ r: Report) -> [UInt32] {
        var seen = Set<UInt32>()
        return r.target.threads.map(\.tgid).filter { $0 != 0 && seen.insert($0).inserted }
    }
}
