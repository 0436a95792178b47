import CThiefSys
import FoundationEssentials
import Glibc

// The hostile workloads of scripts/soak.sh and the live memory tests: many
// short-lived threads, many threads at once, and a fork storm. Threads are
// raw pthreads with small stacks so that 10,000 of them fit anywhere.

/// The end of the run and the sleep of `many-threads`, for the C-convention thread bodies.
nonisolated(unsafe) private var stormEnd: UInt64 = 0
nonisolated(unsafe) private var stormPeriodUs: UInt32 = 1_000_000

/// Starts a detached thread with a 64 KiB stack; false if the system refused.
@discardableResult
private func startThread(
    _ body: @convention(c) (UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer?, _ arg: Int = 0
) -> Bool {
    var attr = pthread_attr_t()
    pthread_attr_init(&attr)
    defer { pthread_attr_destroy(&attr) }
    pthread_attr_setstacksize(&attr, 64 * 1024)
    pthread_attr_setdetachstate(&attr, Int32(PTHREAD_CREATE_DETACHED))
    var thread = pthread_t()
    return pthread_create(&thread, &attr, body, UnsafeMutableRawPointer(bitPattern: arg + 1)) == 0
}

/// Calls `tick` `rate` times a second (0: back to back) until `end`.
private func paced(rate: Int, until end: UInt64, _ tick: () -> Void) {
    let start = thief_monotonic_ns()
    var done: UInt64 = 0
    while true {
        let now = thief_monotonic_ns()
        if now >= end { return }
        if rate > 0 {
            let due = (now - start) * UInt64(rate) / 1_000_000_000
            if done >= due {
                usleep(UInt32(max(50, 1_000_000 / rate / 2)))
                continue
            }
        }
        tick()
        done += 1
    }
}

/// `rate` threads a second, each working ~20 µs and exiting.
func threadChurn(rate: Int, until end: UInt64) {
    paced(rate: rate, until: end) {
        startThread { _ in
            spin(until: thief_monotonic_ns() + 20_000)
            return nil
        }
    }
    usleep(50_000)  // the last ones end
}

/// `count` threads, each waking every `periodMs` (staggered) until `end`.
func manyThreads(_ count: Int, periodMs: Int, until end: UInt64) {
    stormEnd = end
    stormPeriodUs = UInt32(max(1, periodMs) * 1000)
    let body: @convention(c) (UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? = { arg in
        let i = UInt32(truncatingIfNeeded: Int(bitPattern: arg) - 1)
        usleep(i % stormPeriodUs)  // spread the wake-ups over the period
        while thief_monotonic_ns() < stormEnd {
            spin(until: thief_monotonic_ns() + 10_000)
            usleep(stormPeriodUs)
        }
        return nil
    }
    var started = 0
    for i in 0..<count where startThread(body, i * 7919) { started += 1 }
    if started < count {
        let line = Array("many-threads: started \(started) of \(count) threads\n".utf8)
        _ = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
    while thief_monotonic_ns() < end { usleep(10_000) }
    usleep(UInt32(min(1_000_000, Int(stormPeriodUs))) + 20_000)
}

/// `rate` child processes a second (0: as fast as it can), each exiting at once; reaped one by one.
func forkStorm(rate: Int, until end: UInt64) {
    paced(rate: rate, until: end) {
        let pid = fork()
        if pid == 0 { _exit(0) }
        if pid > 0 {
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
    }
}
