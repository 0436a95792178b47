extension TargetSpec {
    /// What is traced, for the line shown once tracing is live.
    func describe(pid: Int32, comm: String, threads: Int) -> String {
        switch self {
        case .process: return "PID \(pid) (\(comm)), \(threads) thread\(threads == 1 ? "" : "s") and any it creates"
        case .threads(let tids): return "thread\(tids.count == 1 ? "" : "s") \(tids.map(String.init).joined(separator: ","))"
        case .command(let argv): return "'\(argv.joined(separator: " "))' (PID \(pid)) and its children"
        }
    }
}

func formatDuration(_ ns: UInt64) -> String {
    if ns % 1_000_000_000 == 0 { return "\(ns / 1_000_000_000)s" }
    if ns % 1_000_000 == 0 { return "\(ns / 1_000_000)ms" }
    return "\(ns)ns"
}
