import Foundation
import Testing
import ThiefCore

/// Interrupt accounting against the kernel's own interrupt counters, the
/// attach race and thief refusing to trace itself.
extension LiveTests {
    /// running: the victim spins through the attach, so the switch that put
    /// it on its CPU was never traced (its interrupts must count all the same).
    @Test(
        "interrupts on the victim's CPU: local timer count agrees with /proc/interrupts, softirqs with /proc/softirqs",
        arguments: [false, true])
    func interruptsAgainstKernelCounters(running: Bool) throws {
        try Live.require()
        let cpu = ProcessInfo.processInfo.activeProcessorCount > 1 ? 1 : 0
        let victim = try Child.workload(["spin", "--name", "irqvictim", "--cpu", "\(cpu)", "--seconds", "30"])
        defer { victim.end() }
        sleepSeconds(0.2)
        if !running { victim.stop() }
        let thief = try ThiefRun(["-p", "\(victim.pid)", "--format", "json"])
        try thief.waitAttached()
        let b0 = try #require(victim.books())
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        let readAt = Double(ts.tv_sec) * 1e9 + Double(ts.tv_nsec)
        let loc0 = try #require(KernelCounters.interrupts("LOC", cpu: cpu))
        let timer0 = try #require(KernelCounters.softirqs("TIMER", cpu: cpu))
        let t0 = Date()
        if !running { victim.cont() }
        sleepSeconds(2)
        victim.stop()
        let span = Date().timeIntervalSince(t0) * 1e9
        // SIGSTOP is asynchronous: let the victim really stop before the
        // kernel's counters are read, or its last tick lands after the read.
        sleepSeconds(0.05)
        let loc1 = try #require(KernelCounters.interrupts("LOC", cpu: cpu))
        let timer1 = try #require(KernelCounters.softirqs("TIMER", cpu: cpu))
        let b1 = try #require(victim.books())
        thief.interrupt()
        #expect(thief.wait() == 0)
        let r = try thief.report()

        // Local timer ticks that hit the victim: every tick on its CPU while it
        // ran. The kernel counts all ticks on that CPU; the victim ran for
        // share = on-core / span of them (it is alone there, so nearly all).
        let share = Double(b1.sumExecRuntime - b0.sumExecRuntime) / span
        let locDelta = Double(loc1 - loc0)
        let vectors = r.list("system_vectors")
        let timer = try #require(
            vectors.first { $0["name"] as? String == "local_timer" }, "no local_timer in \(vectors)")
        let ticks = (timer["count"] as? NSNumber)?.doubleValue ?? 0
        agreement(
            "interrupts\(running ? " (running at attach)" : "")",
            "local_timer count vs /proc/interrupts LOC x on-core share",
            thief: ticks, kernel: locDelta * share)
        // The victim had most of its CPU (the scaling by its share is what is
        // checked; a busy machine, e.g. a build beside the tests, takes some).
        #expect(share > 0.5)
        // Running at attach, thief's window starts before the first /proc
        // read: the ticks of that gap are thief's only.
        let gap = running ? max(0, readAt - r.num("window.start_ns")) / 1e9 : 0
        let slack = running ? (locDelta / (span / 1e9)) * gap + 2 : 0
        #expect(ticks <= locDelta + slack, "thief cannot see more ticks than the CPU took")
        #expect(relErr(ticks, locDelta * share) < 0.10)

        // TIMER softirqs that ran in the victim's time (the rest ran in
        // ksoftirqd or while the CPU idled): never more than the kernel ran.
        let soft = r.list("softirqs").first { $0["vector"] as? String == "TIMER" }
        let softCount = (soft?["count"] as? NSNumber)?.doubleValue ?? 0
        agreement(
            "interrupts\(running ? " (running at attach)" : "")",
            "softirq TIMER count vs /proc/softirqs TIMER (upper bound)",
            thief: softCount, kernel: Double(timer1 - timer0))
        #expect(softCount <= Double(timer1 - timer0) + slack)
        // Own time only: no interrupt longer than the victim's longest slice.
        for irq in vectors + r.list("softirqs") + r.list("irqs") {
            let count = (irq["count"] as? NSNumber)?.doubleValue ?? 0
            let total = (irq["total_ns"] as? NSNumber)?.doubleValue ?? 0
            let maxNs = (irq["max_ns"] as? NSNumber)?.doubleValue ?? 0
            #expect(count > 0 && total >= maxNs && maxNs <= r.num("on_core.max_ns"))
        }
    }

    @Test("threads created while thief loads are tracked (no gap between listing and attaching)")
    func threadsCreatedWhileAttaching() throws {
        try Live.require()
        // A new thread every 2 ms for ~1 s: dozens are born while thief lists
        // the process, loads and attaches.
        let proc = try Child.workload([
            "churn", "--name", "churn", "--threads", "500", "--interval-ms", "2", "--seconds", "30",
        ])
        defer { proc.end() }
        sleepSeconds(0.05)
        let thief = try ThiefRun(["-p", "\(proc.pid)", "--format", "json"])
        try thief.waitAttached()
        sleepSeconds(1.5)
        proc.stop()
        let tids = proc.threads
        thief.interrupt()
        #expect(thief.wait() == 0)
        let r = try thief.report()
        #expect(tids.count > 100)
        let reported = Set(r.list("target.threads").compactMap { ($0["tid"] as? NSNumber)?.int32Value })
        let missing = tids.filter { !reported.contains($0) }
        #expect(missing.isEmpty, "\(missing.count) of \(tids.count) threads missing from the report")
        agreement(
            "attach race", "threads in report vs /proc/PID/task", thief: Double(reported.count),
            kernel: Double(tids.count))
    }

    @Test("thief refuses to trace itself")
    func refusesSelf() throws {
        try Live.require()
        // The shell execs thief, so $$ is thief's own PID.
        let run = try ThiefRun(["-c", "exec \"$0\" -p $$ -d 1s", Live.binary], shell: true)
        #expect(run.wait() == 2)
        #expect(run.stderr.contains("is this thief process itself"), "\(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1)
    }
}

/// The kernel's interrupt counters, per CPU.
enum KernelCounters {
    /// /proc/interrupts row `name:` (e.g. LOC), column of `cpu`.
    static func interrupts(_ name: String, cpu: Int) -> UInt64? { row(in: "/proc/interrupts", name, cpu) }
    /// /proc/softirqs row `name:` (e.g. TIMER), column of `cpu`.
    static func softirqs(_ name: String, cpu: Int) -> UInt64? { row(in: "/proc/softirqs", name, cpu) }

    private static func row(in path: String, _ name: String, _ cpu: Int) -> UInt64? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        let lines = text.split(separator: "\n")
        guard let header = lines.first?.split(separator: " ", omittingEmptySubsequences: true),
            let column = header.firstIndex(of: Substring("CPU\(cpu)"))
        else { return nil }
        for line in lines.dropFirst() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.first == Substring("\(name):"), fields.count > column + 1 else { continue }
            return UInt64(fields[column + 1])
        }
        return nil
    }
}
