extension TargetSpec {
    /// What is traced, for the line shown once tracing is live.
    func describe(pid: Int32, comm: String, threads: Int) -> String {
        let n = "\(threads) thread\(threads == 1 ? "" : "s")"
        switch self {
        case .process: return "PID \(pid) (\(comm)), \(n) and any it creates"
        case .processes(let pids, let children):
            let list = pids.map(String.init).joined(separator: ",")
            return children ? "PID \(list) and its descendants (\(n) now)" : "PIDs \(list), \(n) and any they create"
        case .threads(let tids):
            return "thread\(tids.count == 1 ? "" : "s") \(tids.map(String.init).joined(separator: ","))"
        case .command(let argv): return "'\(argv.joined(separator: " "))' (PID \(pid)) and its children"
        case .cgroup(let cg): return "cgroup \(cg.path) (\(n) now, and any that join)"
        case .comm(let name): return "processes named '\(name)' (\(n) now, and any started)"
        }
    }
}

func formatDuration(_ ns: UInt64) -> String {
    if ns % 1_000_000_000 == 0 { return "\(ns / 1_000_000_000)s" }
    if ns % 1_000_000 == 0 { return "\(ns / 1_000_000)ms" }
    return "\(ns)ns"
}
