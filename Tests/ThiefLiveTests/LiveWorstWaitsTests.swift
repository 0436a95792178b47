import Foundation
import Testing
import ThiefCore

/// The worst waits on a workload the test controls: a victim and a
/// competitor spinning pinned on one CPU, so every wait of the victim is
/// mostly the competitor's run.
@Suite(
    "Live eBPF: worst waits", .serialized,
    .enabled(if: Live.enabled, "live eBPF tests need root and /sys/kernel/btf/vmlinux"))
struct LiveWorstWaitsTests {
    static func ns(_ v: Any?) -> Double { (v as? NSNumber)?.doubleValue ?? .nan }

    @Test("victim and competitor on one CPU: the worst wait is runnable_wait.max, its culprits name the competitor")
    func competitor() throws {
        try Live.require()
        let cpu = ProcessInfo.processInfo.activeProcessorCount > 1 ? 1 : 0
        let contest = try Contest(cpu: cpu, names: ("wwvictim", "wwcomp"))
        let (victim, competitor) = (contest.victim, contest.competitor)
        sleepSeconds(0.3)
        victim.stop()
        competitor.stop()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ww-\(UUID().uuidString).thief").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let thief = try ThiefRun(["-p", "\(victim.pid)", "--format", "json", "--worst", "3", "--record", path])
        try thief.waitAttached()
        let b0 = try #require(victim.books())
        victim.cont()
        competitor.cont()
        sleepSeconds(2)
        victim.stop()
        competitor.stop()
        sleepSeconds(0.05)
        let b1 = try #require(victim.books())
        thief.interrupt()
        #expect(thief.wait() == 0)
        let r = try thief.report()
        let worst = r.list("worst_waits")

        // N is respected and the list is sorted, longest first.
        #expect(worst.count == 3)
        let durations = worst.map { Self.ns($0["duration_ns"]) }
        #expect(durations == durations.sorted(by: >))
        let maxWait = r.num("runnable_wait.max_ns")
        agreement("worst waits", "worst wait ns vs runnable_wait.max_ns", thief: durations[0], kernel: maxWait)
        #expect(durations[0] == maxWait)

        // The kernel's books: no wait is shorter than the mean wait per switch
        // (run_delay / nr_switches), and the N worst fit in the whole run_delay.
        let runDelay = Double(b1.runDelay - b0.runDelay), switches = Double(b1.nrSwitches - b0.nrSwitches)
        agreement(
            "worst waits", "worst wait ns vs schedstat run_delay / nr_switches (lower bound)", thief: durations[0],
            kernel: runDelay / max(switches, 1))
        #expect(switches > 10 && durations[0] >= runDelay / switches)
        #expect(durations.reduce(0, +) <= runDelay * 1.02)

        // A switch the kernel did not deliver is rebuilt at the next one: what
        // ran in between is reported late, after the wait took its stretches.
        let complete = r.num("missed_switch_events") == 0 && r.num("lost_events") == 0
        for w in worst { try Self.checkCulprits(w, competitor: competitor.pid, cpu: cpu, complete: complete) }
        try Self.checkReplay(path, live: thief.stdout)
    }

    /// The competitor is among the culprits, timed ones lie inside the wait in
    /// time order, and the culprits' ns add up to the wait (never more).
    /// `complete`: no record was lost or rebuilt, so the stretches time
    /// nearly all of the wait (the rest: idle, or `other`).
    static func checkCulprits(_ w: [String: Any], competitor: Int32, cpu: Int, complete: Bool) throws {
        let duration = ns(w["duration_ns"]), start = ns(w["start_ns"])
        #expect(ns(w["queue_cpu"]) == Double(cpu) && ns(w["cpu"]) == Double(cpu))
        let culprits = w.list("culprits")
        let sum = culprits.reduce(0.0) { $0 + ns($1["ns"]) }
        let comp = culprits.filter { ($0["pid"] as? NSNumber)?.int32Value == competitor }
        let compNs = comp.reduce(0.0) { $0 + ns($1["ns"]) }
        agreement("worst waits", "culprits ns vs the wait's duration_ns", thief: sum, kernel: duration)
        agreement("worst waits", "competitor's ns in the wait vs its duration_ns", thief: compNs, kernel: duration)
        #expect(!comp.isEmpty, "competitor \(competitor) not among \(culprits)")
        #expect(comp.allSatisfy { $0["kind"] as? String == "task" && $0["comm"] as? String == "wwcomp" })
        #expect(sum <= duration && sum == duration)
        // No share is asserted: on a machine shared with builds, the worst
        // waits are those where other tasks ran too (the AGREEMENT line shows it).
        let timed = culprits.filter { $0["start_ns"] != nil }.reduce(0.0) { $0 + ns($1["ns"]) }
        agreement("worst waits", "timed stretches ns vs the wait's duration_ns", thief: timed, kernel: duration)
        if complete { #expect(timed >= 0.9 * duration) }
        #expect(w["truncated"] as? Bool == false)
        let starts = culprits.compactMap { ($0["start_ns"] as? NSNumber)?.doubleValue }
        #expect(starts == starts.sorted())
        #expect(starts.allSatisfy { $0 >= start && $0 < start + duration })
    }

    /// `thief report FILE` prints the live run's report byte for byte, --worst included.
    static func checkReplay(_ path: String, live: String) throws {
        let replay = try ThiefRun(["report", path, "--format", "json"])
        #expect(replay.wait() == 0)
        #expect(replay.stdout == live)
        let other = try ThiefRun(["report", path, "--format", "json", "--worst", "1"])
        #expect(other.wait() == 0)
        #expect(try other.report().list("worst_waits").count == 1)
    }
}
