import Foundation
import Testing
import ThiefCore

/// Wakers, per-CPU time and migrations by distance, on workloads the tests
/// control: a reader woken through a pipe by a writer process at a fixed
/// rate (`thief-workloads pipe-waker`), against the kernel's count of the
/// reader's sleeps (voluntary context switches).
@Suite("Live wakers", .serialized, .enabled(if: Live.enabled, "live eBPF tests need root and /sys/kernel/btf/vmlinux"))
struct LiveWakersTests {
    /// voluntary_ctxt_switches of one thread (/proc/PID/task/TID/status).
    static func voluntarySwitches(_ pid: Int32) -> Double? {
        guard let text = ProcFS.read("/proc/\(pid)/task/\(pid)/status") else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("voluntary_ctxt_switches:") {
            return Double(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces))
        }
        return nil
    }

    /// The pipe-waker's writer: the reader's only child.
    static func writer(of reader: Child) throws -> Int32 {
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            let text = ProcFS.read("/proc/\(reader.pid)/task/\(reader.pid)/children") ?? ""
            if let pid = text.split(separator: " ").first.flatMap({ Int32($0) }) { return pid }
            usleep(20_000)
        }
        throw Live.Unavailable(description: "pipe-waker started no writer")
    }

    /// Traces `sleeper` (woken by its child `partner`) for `seconds`, both
    /// stopped while thief attaches and while the kernel's books are read:
    /// the report, and the sleeper's voluntary switches in between.
    static func traceWakeups(of sleeper: Child, partner: Int32, seconds: Double) throws -> (
        report: [String: Any], sleeps: Double
    ) {
        func freeze(_ sig: Int32) {
            kill(partner, sig)
            sleeper.signal(sig)
        }
        sleepSeconds(0.2)
        freeze(SIGSTOP)
        let thief = try ThiefRun(["-p", "\(sleeper.pid)", "--format", "json"])
        try thief.waitAttached()
        let v0 = try #require(voluntarySwitches(sleeper.pid))
        freeze(SIGCONT)
        sleepSeconds(seconds)
        freeze(SIGSTOP)
        sleepSeconds(0.05)
        let v1 = try #require(voluntarySwitches(sleeper.pid))
        thief.interrupt()
        #expect(thief.wait() == 0)
        return (try thief.report(), v1 - v0)
    }

    @Test("the pipe writer is the reader's waker, once per sleep of the reader (voluntary switches)")
    func pipeWriterWakes() throws {
        try Live.require()
        let reader = try Child.workload(["pipe-waker", "--name", "reader", "--rate", "200", "--seconds", "30"])
        let writer = try Self.writer(of: reader)
        defer {
            reader.end()
            kill(writer, SIGKILL)
        }
        let (r, sleeps) = try Self.traceWakeups(of: reader, partner: writer, seconds: 3)
        let wakers = r.list("wakers")
        let mine = try #require(wakers.first { ($0["pid"] as? NSNumber)?.int32Value == writer })
        #expect(mine["comm"] as? String == "pipe-writer")
        #expect(mine["context"] as? String == "task")
        let count = (mine["count"] as? NSNumber)?.doubleValue ?? 0
        agreement("pipe-waker", "pipe-writer wake-ups vs reader's voluntary switches", thief: count, kernel: sleeps)
        #expect(relErr(count, sleeps) < 0.02)
        #expect(sleeps > 400, "200 wake-ups a second for 3 s")
        let all = wakers.reduce(0) { $0 + (($1["count"] as? NSNumber)?.doubleValue ?? 0) }
        agreement("pipe-waker", "all wake-ups vs reader's voluntary switches", thief: all, kernel: sleeps)
        #expect(relErr(all, sleeps) < 0.02)
        let p50 = (mine["p50_ns"] as? NSNumber)?.doubleValue ?? 0, p99 = (mine["p99_ns"] as? NSNumber)?.doubleValue ?? 0
        #expect(p50 > 0 && p50 <= p99 && p99 <= ((mine["max_ns"] as? NSNumber)?.doubleValue ?? 0))
        let places = ["same_cpu", "same_core", "same_llc", "other_llc", "other_node", "unknown"]
        #expect(places.reduce(0) { $0 + ((mine[$1] as? NSNumber)?.doubleValue ?? 0) } == count)
        Self.expectSums(r)
    }

    @Test("per interval: CPUs add up to the totals, distances to the migrations, causes to the wait; replays alike")
    func perCPUIntervals() throws {
        try Live.require()
        let reader = try Child.workload(["pipe-waker", "--name", "reader", "--rate", "500", "--seconds", "30"])
        let writer = try Self.writer(of: reader)
        let hog = try Child.workload([
            "periodic", "--name", "hog", "--period-ms", "3", "--burst-ms", "5", "--seconds", "30",
        ])
        defer {
            reader.end()
            hog.end()
            kill(writer, SIGKILL)
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("wakers-\(UUID()).thief").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let live = try ThiefRun([
            "-p", "\(reader.pid)", "--interval", "300ms", "--count", "5", "-q", "--format", "ndjson", "--record", file,
        ])
        #expect(live.wait() == 0)
        let lines = live.stdout.split(separator: "\n")
        #expect(lines.count == 5)
        for line in lines {
            let r = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            Self.expectSums(r)
        }
        let whole = try ThiefRun(["report", file, "--format", "json"])
        #expect(whole.wait() == 0)
        let w = try whole.report()
        Self.expectSums(w)
        #expect(w.list("wakers").contains { $0["comm"] as? String == "pipe-writer" })
        let again = try ThiefRun(["report", file, "--interval", "300ms", "--format", "ndjson"])
        #expect(again.wait() == 0)
        #expect(again.stdout == live.stdout, "the replayed intervals differ from the live ones")
    }

    /// Per-CPU on-core and wait equal the totals exactly; migrations by
    /// distance sum to the count; the wait's causes sum to the wait.
    static func expectSums(_ r: [String: Any], sourceLocation: SourceLocation = #_sourceLocation) {
        let cpus = r.list("cpus")
        func sum(_ key: String) -> Double { cpus.reduce(0) { $0 + (($1[key] as? NSNumber)?.doubleValue ?? 0) } }
        #expect(!cpus.isEmpty, sourceLocation: sourceLocation)
        #expect(sum("on_core_ns") == r.num("on_core.total_ns"), "per-CPU on-core", sourceLocation: sourceLocation)
        #expect(
            sum("runnable_wait_ns") == r.num("runnable_wait.total_ns"), "per-CPU wait", sourceLocation: sourceLocation)
        let d = (r["migrations"] as? [String: Any])?["by_distance"] as? [String: Any] ?? [:]
        let distances = ["same_core", "same_llc", "other_llc", "other_node", "unknown"].reduce(0.0) {
            $0 + ((d[$1] as? NSNumber)?.doubleValue ?? 0)
        }
        #expect(distances == r.num("migrations.count"), "by distance", sourceLocation: sourceLocation)
        #expect(d["unknown"] == nil, "this machine's topology is known", sourceLocation: sourceLocation)
        let c = (r["runnable_wait"] as? [String: Any])?["by_cause"] as? [String: Any] ?? [:]
        let causes = c.values.reduce(0.0) { $0 + (($1 as? NSNumber)?.doubleValue ?? 0) }
        #expect(causes == r.num("runnable_wait.total_ns"), "causes", sourceLocation: sourceLocation)
        agreement(
            "wakers sums", "sum of cpus[].on_core_ns vs on_core.total_ns", thief: sum("on_core_ns"),
            kernel: r.num("on_core.total_ns"))
        agreement(
            "wakers sums", "sum of migrations.by_distance vs migrations.count", thief: distances,
            kernel: r.num("migrations.count"))
    }
}

/// In the serialized "Live eBPF" suite: a partner that wakes and preempts
/// threads on both CPUs this often takes interrupt time out of the other
/// tests' slices (se.sum_exec_runtime leaves it out) and stretches the
/// kernel's run_delay (a wake-up that preempts skips the next clock update),
/// so it must not run beside the tests that compare with those books.
extension LiveTests {
    @Test("a ping-pong across CPUs: every sleep has its waker, even one woken while still switching out")
    func crossCPUPingPong() throws {
        try Live.require()
        guard ProcessInfo.processInfo.activeProcessorCount > 1 else {
            throw Live.Unavailable(description: "needs 2 CPUs")
        }
        let ping = try Child.workload(["ping-pong", "--name", "ping", "--interval-ms", "10", "--seconds", "30"])
        let pong = try LiveWakersTests.writer(of: ping)
        defer {
            ping.end()
            kill(pong, SIGKILL)
        }
        let (r, sleeps) = try LiveWakersTests.traceWakeups(of: ping, partner: pong, seconds: 1.5)
        let wakers = r.list("wakers")
        let all = wakers.reduce(0) { $0 + (($1["count"] as? NSNumber)?.doubleValue ?? 0) }
        let byPong = wakers.first { ($0["pid"] as? NSNumber)?.int32Value == pong }
        agreement("ping-pong", "all wake-ups vs ping's voluntary switches", thief: all, kernel: sleeps)
        #expect(sleeps > 500, "bursts of 10 round trips 10 ms apart: ~1,000 sleeps a second")
        #expect(relErr(all, sleeps) < 0.01, "wakers: \(wakers.map { ($0["comm"] ?? "", $0["count"] ?? 0) })")
        #expect(byPong?["comm"] as? String == "pong")
        let pongCount = (byPong?["count"] as? NSNumber)?.doubleValue ?? 0
        // Ping's other sleeps are its pauses, one per 10 round trips (woken by a timer).
        #expect(pongCount > 0.8 * sleeps, "pong woke ping \(pongCount) times of \(sleeps)")
        LiveWakersTests.expectSums(r)
    }
}
