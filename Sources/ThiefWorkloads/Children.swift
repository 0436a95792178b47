import CThiefSys
import FoundationEssentials
import Glibc

/// `children`: after `delayMs`, forks `count` child processes that each spin
/// for `seconds`, then prints each child's own books when it has exited:
/// `books PID SUM_EXEC_NS`, read from /proc/PID/schedstat between its exit
/// and its reaping (waitid with WNOWAIT keeps the zombie). That includes its
/// whole exit path, which books a child prints itself can never hold.
func children(count: Int, delayMs: Int, seconds: Double) {
    usleep(UInt32(delayMs * 1000))
    var pids: [pid_t] = []
    for _ in 0..<max(1, count) {
        let pid = fork()
        if pid == 0 {
            spin(until: thief_monotonic_ns() + UInt64(seconds * 1e9))
            _exit(0)
        }
        if pid > 0 { pids.append(pid) }
    }
    for pid in pids {
        var info = siginfo_t()
        guard waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) == 0 else { continue }
        if let ns = onCPU(pid) { print("books \(pid) \(ns)") }
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }
}

/// The first field of /proc/PID/schedstat: ns on a CPU (se.sum_exec_runtime).
private func onCPU(_ pid: pid_t) -> UInt64? {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/schedstat", encoding: .utf8) else { return nil }
    return text.split(separator: " ").first.flatMap { UInt64($0) }
}
