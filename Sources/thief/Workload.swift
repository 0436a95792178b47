import ArgumentParser
import CThiefBPF
import Foundation

/// Built-in, bounded workloads for `thief demo` and the live tests. Each ends
/// by itself after --seconds, so nothing is left running.
struct Workload: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workload",
        abstract: "Run a built-in workload (used by `thief demo` and the tests).",
        shouldDisplay: false
    )

    enum Kind: String, ExpressibleByArgument, CaseIterable {
        /// CPU-bound loop.
        case spin
        /// Wakes every --period-ms, works --burst-ms, sleeps again.
        case periodic
        /// Spins and moves itself between CPUs 0 and 1 --flips times.
        case flip
        /// Creates --threads threads after --delay-ms; each alternates work and sleep.
        case threads
        /// A CPU-bound main thread that flips CPUs, plus a sleeping helper thread.
        case victim
        /// Starts a new thread every --interval-ms, up to --threads; each sleeps until the end.
        case churn
    }

    @Argument var kind: Kind
    @Option var name: String?
    @Option(help: "Pin to this CPU.") var cpu: Int?
    @Option var seconds: Double = 10
    @Option(name: .customLong("period-ms")) var periodMs: Int = 20
    @Option(name: .customLong("burst-ms")) var burstMs: Int = 2
    @Option var flips: Int = 10
    @Option(name: .customLong("interval-ms")) var intervalMs: Int = 100
    @Option var threads: Int = 3
    @Option(name: .customLong("delay-ms")) var delayMs: Int = 300

    func run() throws {
        if let name { thief_set_thread_name(name) }
        if let cpu { _ = thief_pin_cpu(0, Int32(cpu)) }
        let end = thief_monotonic_ns() + UInt64(seconds * 1e9)
        switch kind {
        case .spin:
            spin(until: end)
        case .periodic:
            while thief_monotonic_ns() < end {
                spin(until: min(end, thief_monotonic_ns() + UInt64(burstMs) * 1_000_000))
                usleep(UInt32(periodMs * 1000))
            }
        case .flip:
            flipLoop(until: end)
        case .threads:
            usleep(UInt32(delayMs * 1000))
            let workers = (0..<threads).map { i in
                Thread {
                    thief_set_thread_name("worker\(i)")
                    while thief_monotonic_ns() < end {
                        spin(until: min(end, thief_monotonic_ns() + 3_000_000))
                        usleep(2000)
                    }
                }
            }
            workers.forEach { $0.start() }
            while thief_monotonic_ns() < end { usleep(10_000) }
            usleep(20_000)
        case .victim:
            let helper = Thread {
                thief_set_thread_name("victim-io")
                while thief_monotonic_ns() < end {
                    spin(until: thief_monotonic_ns() + 200_000)
                    usleep(10_000)
                }
            }
            helper.start()
            flipLoop(until: end)
            usleep(20_000)
        case .churn:
            var started = 0
            while thief_monotonic_ns() < end {
                if started < threads {
                    started += 1
                    Thread { while thief_monotonic_ns() < end { usleep(50_000) } }.start()
                }
                usleep(UInt32(intervalMs * 1000))
            }
        }
    }

    func flipLoop(until end: UInt64) {
        let ncpu = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        var target = 0
        var done = 0
        while thief_monotonic_ns() < end {
            if done < flips, ncpu > 1 {
                target = (target + 1) % 2
                _ = thief_pin_cpu(0, Int32(target))
                done += 1
            }
            spin(until: min(end, thief_monotonic_ns() + UInt64(intervalMs) * 1_000_000))
        }
    }
}

/// Busy work until the monotonic clock passes `end`.
@inline(never)
func spin(until end: UInt64) {
    var x: UInt64 = 1
    while thief_monotonic_ns() < end {
        for _ in 0..<2000 { x = x &* 6364136223846793005 &+ 1442695040888963407 }
    }
    blackHole(x)
}

@inline(never)
func blackHole(_ x: UInt64) {
    if x == 42 { print("") }
}
