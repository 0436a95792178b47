import ArgumentParser
import Foundation
import ThiefCore
import ThiefWorkloads

/// `thief-workloads KIND [options]` (or `thief-workloads workload KIND …`): one
/// bounded workload in this process, ending by itself after --seconds.
struct WorkloadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workload",
        abstract: "Run a built-in workload (used by the live tests and scripts/bench.sh)."
    )

    @Argument var kind: Workload.Kind
    @Option var name: String?
    @Option(help: "Pin to this CPU.") var cpu: Int?
    @Option var seconds: Double = 10
    @Option(name: .customLong("period-ms")) var periodMs: Int = 20
    @Option(name: .customLong("burst-ms")) var burstMs: Int = 2
    @Option var flips: Int = 10
    @Option(name: .customLong("interval-ms")) var intervalMs: Int = 100
    @Option var threads: Int = 3
    @Option(name: .customLong("delay-ms")) var delayMs: Int = 300
    @Option(help: "thread-churn, fork-storm: threads or processes a second (0: as fast as possible).")
    var rate: Int = 1000
    @Flag(
        help: "At the end, print this process's own books: 'books PID SUM_EXEC_NS' (its threads' se.sum_exec_runtime).")
    var books = false

    func run() throws {
        Workload(
            kind, name: name, cpu: cpu, seconds: seconds, periodMs: periodMs, burstMs: burstMs,
            flips: flips, intervalMs: intervalMs, threads: threads, delayMs: delayMs, rate: rate
        ).run()
        if books {
            // A process that exits before the test can read /proc reports its books itself.
            let pid = getpid()
            let sum = ProcFS.threads(of: pid).reduce(UInt64(0)) {
                $0 + (ProcFS.sched(pid: pid, tid: $1)?.sumExecRuntime ?? 0)
            }
            print("books \(pid) \(sum)")
        }
    }
}

extension Workload.Kind: ExpressibleByArgument {}
