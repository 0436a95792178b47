import CThiefSys
import FoundationEssentials
import Glibc

/// Bounded workloads: the processes of `thief demo`'s scenario, and the
/// workloads of the live tests and scripts/bench.sh (`thief-workloads KIND`).
/// Each ends by itself after `seconds`, so nothing is left running.
public struct Workload: Sendable {
    public enum Kind: String, CaseIterable, Sendable {
        /// CPU-bound loop.
        case spin
        /// Wakes every `periodMs` (0: every 250 µs), works `burstMs`, sleeps again.
        case periodic
        /// Spins and moves itself between CPUs 0 and 1 `flips` times.
        case flip
        /// Creates `threads` threads after `delayMs`; each alternates work and sleep.
        case threads
        /// A CPU-bound main thread that flips CPUs, plus a sleeping helper thread.
        case victim
        /// Starts a new thread every `intervalMs`, up to `threads`; each sleeps until the end.
        case churn
        /// Creates and ends `rate` short-lived threads a second (each works ~20 µs, then exits).
        case threadChurn = "thread-churn"
        /// Starts `threads` threads (small stacks); each wakes every `periodMs`, works ~10 µs, sleeps.
        case manyThreads = "many-threads"
        /// Forks `rate` short-lived processes a second (0: as fast as it can); each exits at once.
        case forkStorm = "fork-storm"
        /// A child process (`pipe-writer`) writes a byte `rate` times a second into a
        /// pipe; this process's main thread blocks reading it: each byte a wake-up by the writer.
        case pipeWaker = "pipe-waker"
        /// After `delayMs`, forks `threads` child processes that each spin `seconds`;
        /// prints each child's books (`books PID NS`) once it has exited.
        case children
        /// This process (CPU 0) and a child (`pong`, CPU 1) pass a byte back and forth through
        /// two pipes, in bursts of 10 round trips `intervalMs` apart.
        case pingPong = "ping-pong"
        /// Two threads pass a byte back and forth through two pipes, working 50 µs a turn (pin with `cpu`).
        case pipePair = "pipe-pair"
        /// Sleeps `delayMs`, spins `burstMs` once, then sleeps until the end (`thief watch`'s spike).
        case burst
    }

    public var kind: Kind
    /// The thread name (comm) to take.
    public var name: String?
    /// Pin to this CPU.
    public var cpu: Int?
    public var seconds: Double
    public var periodMs: Int
    public var burstMs: Int
    public var flips: Int
    public var intervalMs: Int
    public var threads: Int
    public var delayMs: Int
    /// Threads or processes a second (thread-churn, fork-storm; 0: as fast as possible).
    public var rate: Int

    public init(
        _ kind: Kind, name: String? = nil, cpu: Int? = nil, seconds: Double = 10, periodMs: Int = 20, burstMs: Int = 2,
        flips: Int = 10, intervalMs: Int = 100, threads: Int = 3, delayMs: Int = 300, rate: Int = 1000
    ) {
        self.kind = kind
        self.name = name
        self.cpu = cpu
        self.seconds = seconds
        self.periodMs = periodMs
        self.burstMs = burstMs
        self.flips = flips
        self.intervalMs = intervalMs
        self.threads = threads
        self.delayMs = delayMs
        self.rate = rate
    }

    /// Runs the workload in the calling process until `seconds` have passed.
    public func run() {
        if let name { thief_set_thread_name(name) }
        if let cpu { _ = thief_pin_cpu(0, Int32(cpu)) }
        let end = thief_monotonic_ns() + UInt64(seconds * 1e9)
        switch kind {
        case .spin:
            spin(until: end)
        case .periodic:
            while thief_monotonic_ns() < end {
                spin(until: min(end, thief_monotonic_ns() + UInt64(burstMs) * 1_000_000))
                usleep(periodMs > 0 ? UInt32(periodMs * 1000) : 250)
            }
        case .flip:
            flipLoop(until: end)
        case .threads:
            usleep(UInt32(delayMs * 1000))
            for i in 0..<threads {
                startDetached {
                    thief_set_thread_name("worker\(i)")
                    while thief_monotonic_ns() < end {
                        spin(until: min(end, thief_monotonic_ns() + 3_000_000))
                        usleep(2000)
                    }
                }
            }
            while thief_monotonic_ns() < end { usleep(10_000) }
            usleep(20_000)
        case .victim:
            startDetached {
                thief_set_thread_name("victim-io")
                while thief_monotonic_ns() < end {
                    spin(until: thief_monotonic_ns() + 200_000)
                    usleep(10_000)
                }
            }
            flipLoop(until: end)
            usleep(20_000)
        case .churn:
            var started = 0
            while thief_monotonic_ns() < end {
                if started < threads {
                    started += 1
                    startDetached { while thief_monotonic_ns() < end { usleep(50_000) } }
                }
                usleep(UInt32(intervalMs * 1000))
            }
        case .threadChurn:
            threadChurn(rate: rate, until: end)
        case .manyThreads:
            manyThreads(threads, periodMs: periodMs, until: end)
        case .forkStorm:
            forkStorm(rate: rate, until: end)
        case .pipeWaker:
            pipeWaker(rate: rate, until: end)
        case .children:
            children(count: threads, delayMs: delayMs, seconds: seconds)
        case .pingPong:
            pingPong(pauseMs: intervalMs, until: end)
        case .pipePair:
            pipePair(until: end)
        case .burst:
            usleep(UInt32(delayMs * 1000))
            spin(until: min(end, thief_monotonic_ns() + UInt64(burstMs) * 1_000_000))
            while thief_monotonic_ns() < end { usleep(UInt32(min(100_000, (end - thief_monotonic_ns()) / 1000 + 1))) }
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
        for _ in 0..<2000 { x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407 }
    }
    blackHole(x)
}

@inline(never)
func blackHole(_ x: UInt64) {
    if x == 42 { print("") }
}
