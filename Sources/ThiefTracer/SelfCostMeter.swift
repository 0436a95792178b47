import CThiefBPF
import FoundationEssentials
import Glibc
import ThiefCore

/// --self-cost: what tracing cost, from the kernel's BPF run-time statistics
/// and this process's own CPU time and peak RSS.
enum SelfCostMeter {
    /// This process's CPU time (user + system), ns.
    static func cpuTimeNs() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// `sent`: the kernel side's emitted counter; `held`: records read from its batches at the end.
    static func measure(_ tb: OpaquePointer, cpuAtStart: UInt64, sent: UInt64, held: UInt64) -> Report.SelfCost {
        var stats = [thief_bpf_prog_stats](repeating: thief_bpf_prog_stats(), count: 64)
        let n = Int(max(0, thief_bpf_prog_stats_get(tb, &stats, 64)))
        return Report.SelfCost(
            bpfRunNs: stats.prefix(n).reduce(0) { $0 + $1.run_time_ns },
            bpfRuns: stats.prefix(n).reduce(0) { $0 + $1.run_cnt },
            consumerCpuNs: cpuTimeNs() - cpuAtStart, peakRssKb: peakRssKb(), recordsSent: sent,
            recordsHeldAtEnd: held)
    }

    /// This program's peak RSS: VmHWM of /proc/self/status. (getrusage's
    /// ru_maxrss survives execve: thief started by a big process, a test
    /// runner, would report its parent's peak.)
    static func peakRssKb() -> UInt64 {
        if let hwm = ProcFS.status(getpid())?["VmHWM"]?.split(separator: " ").first.flatMap({ UInt64($0) }) {
            return hwm
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return UInt64(max(0, usage.ru_maxrss))
    }
}
