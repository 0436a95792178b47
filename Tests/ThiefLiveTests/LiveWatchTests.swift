import Foundation
import Testing
import ThiefCore

/// `thief watch` on a workload the test controls: a victim pinned on CPU 1
/// that wakes every 250 µs (SCHED_FIFO 1: the builds beside the test
/// never make it wait), and competitors (SCHED_FIFO 2 on CPU 1) that each
/// sleep, spin 30 ms once at a random moment, and sleep again: each burst
/// makes one wait of the victim as long as the burst (less up to 250 µs
/// before the victim woke), and the competitor's own books
/// (se.sum_exec_runtime before and after its burst) say how long it ran.
@Suite(
    "Live eBPF: thief watch", .serialized,
    .enabled(if: Live.enabled, "live eBPF tests need root and /sys/kernel/btf/vmlinux"))
struct LiveWatchTests {
    static let cpu = ProcessInfo.processInfo.activeProcessorCount > 1 ? 1 : 0

    /// The victim: SCHED_FIFO 1 on `cpu`, waking every 250 µs (a burst starts at
    /// most that long before the victim's wait does: < 1% of 30 ms).
    static func victim() throws -> Child {
        try Child(
            [
                "-c", "\(cpu)", "/usr/bin/chrt", "-f", "1", Live.workloads, "periodic", "--name", "wvictim",
                "--period-ms", "0", "--burst-ms", "0", "--seconds", "30",
            ], executable: "/usr/bin/taskset")
    }

    /// A FIFO competitor on the victim's CPU that bursts `burstMs` after `delayMs`.
    static func burst(_ name: String, delayMs: Int, burstMs: Int = 30) throws -> Child {
        let seconds = Double(delayMs) / 1000 + 6
        return try Child(
            [
                "-c", "\(cpu)", "/usr/bin/chrt", "-f", "2", Live.workloads, "burst", "--name", name,
                "--delay-ms", "\(delayMs)", "--burst-ms", "\(burstMs)", "--seconds", "\(seconds)",
            ], executable: "/usr/bin/taskset")
    }

    static func captures(_ dir: ScratchDir) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir.url.path)) ?? []).filter {
            $0.hasPrefix("thief-")
        }.sorted()
    }

    static func json(_ path: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func ns(_ v: Any?) -> Double { (v as? NSNumber)?.doubleValue ?? .nan }

    @Test(
        "a 30 ms burst: one capture naming the competitor (its books within 5%), the window as asked, replayable; a burst in the cooldown is suppressed and counted"
    )
    func burstCapture() throws {
        try Live.require()
        let dir = try ScratchDir("watch")
        let victim = try Self.victim()
        // The competitors start (as SCHED_FIFO on the victim's CPU: their start-up
        // is a wait of the victim too) before the watch does. The first burst at a
        // random moment; the second inside the cooldown, the third after it.
        let started = Date()
        let first = Int.random(in: 3000...3600)
        let comps = try [first, first + 1200, first + 3300].enumerated().map { i, d in
            try Self.burst("wcomp\(i)", delayMs: d)
        }
        sleepSeconds(0.3)
        let thief = try ThiefRun([
            "watch", "-p", "\(victim.pid)", "--trigger", "wait > 25ms", "--before", "1s", "--after", "500ms",
            "--cooldown", "2500ms", "--dir", dir.url.path,
        ])
        try thief.waitAttached()
        let before = comps.map { $0.books()?.sumExecRuntime ?? 0 }
        try #require(Date().timeIntervalSince(started) < Double(first) / 1000 - 0.3, "attached before the first burst")
        sleepSeconds(Double(first + 3300) / 1000 + 0.3 - Date().timeIntervalSince(started))
        let after = comps.map { $0.books()?.sumExecRuntime ?? 0 }
        sleepSeconds(0.8)
        thief.interrupt()
        #expect(thief.wait() == 0)
        let names = Self.captures(dir)
        print("watch stderr:\n\(thief.stderr)")
        try #require(names.count == 2, "captures: \(names)")
        #expect(thief.stderr.contains("suppressed (--cooldown"), "the second burst's trigger is suppressed")
        // Each capture on disk within 2 s of its after-window's end (the log says when).
        for line in thief.stderr.split(separator: "\n") where line.contains(" -> ") {
            let ms = line.split(separator: ";").last.flatMap { part in
                part.split(separator: " ").first { $0.hasSuffix("ms") }.flatMap { Double($0.dropLast(2)) }
            }
            let written = try #require(ms, "no capture time in: \(line)")
            agreement("watch", "capture on disk after its window, ms (limit 2000)", thief: written, kernel: 2000)
            #expect(written <= 2000)
        }

        for (n, name) in names.enumerated() {
            let path = dir.path(name)
            let trigger = try Self.json(path + "/trigger.json")
            let report = try Self.json(path + "/report.json")
            ThiefRun.expectCausesBalance(report)
            let comp = comps[n == 0 ? 0 : 2]
            let burstNs = Double(after[n == 0 ? 0 : 2]) - Double(before[n == 0 ? 0 : 2])
            // (Another long wait of the victim on the shared machine may be suppressed too.)
            #expect(n == 0 ? Self.ns(trigger["suppressed"]) == 0 : Self.ns(trigger["suppressed"]) >= 1)
            try Self.checkTrigger(trigger, report: report, victim: victim.pid, competitor: comp.pid, burstNs: burstNs)
            // The recording replays to the same report, byte for byte.
            let replay = try ThiefRun(["report", path + "/capture.thief", "--format", "json"])
            #expect(replay.wait() == 0)
            let written = try String(contentsOfFile: path + "/report.json", encoding: .utf8)
            #expect(replay.stdout == written)
            // So do the HTML report and the Perfetto trace.
            let html = try ThiefRun(["report", path + "/capture.thief", "--format", "html"])
            #expect(html.wait() == 0)
            #expect(html.stdout == (try String(contentsOfFile: path + "/report.html", encoding: .utf8)))
            let tracePath = dir.path("replayed-\(n).pftrace")
            let trace = try ThiefRun(["report", path + "/capture.thief", "--format", "perfetto", "-o", tracePath])
            #expect(trace.wait() == 0)
            #expect(
                FileManager.default.contents(atPath: tracePath)
                    == FileManager.default.contents(atPath: path + "/trace.pftrace"))
            try? FileManager.default.removeItem(atPath: tracePath)
            let text = try String(contentsOfFile: path + "/report.txt", encoding: .utf8)
            #expect(text.hasPrefix("thief watch capture: wait > 25ms fired at"))
            #expect(text.contains("The wait that fired:") && text.contains("wcomp\(n == 0 ? 0 : 2)[\(comp.pid)]"))
        }
        #expect(!FileManager.default.fileExists(atPath: dir.url.path + "/.thief-watch"))
    }

    /// The trigger's wait is the victim's, its competitor's stretch matches
    /// the competitor's books, it was seen within 100 ms, and the capture
    /// covers 1 s before and 500 ms after it.
    static func checkTrigger(
        _ t: [String: Any], report r: [String: Any], victim: Int32, competitor: Int32, burstNs: Double,
        before: Double = 1e9, after: Double? = 500e6
    ) throws {
        let wait = try #require(t["wait"] as? [String: Any])
        #expect(ns(wait["tid"]) == Double(victim))
        let latency = ns(t["latency_ns"])
        agreement("watch", "trigger latency ns (wait end -> seen), limit 100 ms", thief: latency, kernel: 100e6)
        #expect(latency <= 100e6)
        let timeNs = ns(t["time_ns"])
        #expect(ns(wait["end_ns"]) == timeNs)
        let start = r.num("window.start_ns"), end = r.num("window.end_ns")
        #expect(abs((timeNs - start) - before) <= 100e6, "covers \(before / 1e9) s before: \(timeNs - start)")
        if let after { #expect(abs((end - timeNs) - after) <= 100e6, "covers \(after / 1e9) s after: \(end - timeNs)") }
        // The wait, as the capture's worst waits show it.
        let found = r.list("worst_waits").first {
            ns($0["tid"]) == Double(victim) && ns($0["start_ns"]) + ns($0["duration_ns"]) == timeNs
        }
        let w = try #require(found, "the trigger's wait is among the capture's worst waits")
        #expect(ns(w["duration_ns"]) == ns(wait["duration_ns"]))
        // trigger.json's breakdown is that wait, as the worst waits show it.
        let breakdown = try #require(t["breakdown"] as? [String: Any])
        #expect(ns(breakdown["duration_ns"]) == ns(w["duration_ns"]) && ns(breakdown["start_ns"]) == ns(w["start_ns"]))
        #expect(breakdown.list("culprits").count == w.list("culprits").count)
        let compNs = breakdown.list("culprits").filter { ($0["pid"] as? NSNumber)?.int32Value == competitor }.reduce(
            0.0
        ) {
            $0 + ns($1["ns"])
        }
        agreement(
            "watch", "competitor's ns in the trigger wait vs its Δsum_exec_runtime", thief: compNs, kernel: burstNs)
        #expect(burstNs > 25e6 && relErr(compNs, burstNs) <= 0.05)
    }

    @Test("SIGTERM inside an after-window: the capture is written whole (cut short), nothing half-written is left")
    func sigtermInAfterWindow() throws {
        try Live.require()
        let dir = try ScratchDir("watch-term")
        let victim = try Self.victim()
        sleepSeconds(0.2)
        let thief = try ThiefRun([
            "watch", "-p", "\(victim.pid)", "--trigger", "wait > 25ms", "--before", "1s", "--after", "5s",
            "--dir", dir.url.path,
        ])
        try thief.waitAttached()
        let comp = try Self.burst("wcomp", delayMs: 300)
        sleepSeconds(1.5)
        kill(thief.process.processIdentifier, SIGTERM)
        #expect(thief.wait() == 0)
        _ = comp
        let all = try FileManager.default.contentsOfDirectory(atPath: dir.url.path)
        #expect(all.count == 1 && all.allSatisfy { $0.hasPrefix("thief-") }, "only complete captures: \(all)")
        for name in all {
            let files = try FileManager.default.contentsOfDirectory(atPath: dir.path(name)).sorted()
            #expect(
                files == ["capture.thief", "report.html", "report.json", "report.txt", "trace.pftrace", "trigger.json"])
            let t = try Self.json(dir.path(name) + "/trigger.json")
            let capture = try #require(t["capture"] as? [String: Any])
            #expect(capture["cut_short"] as? Bool == true)
            #expect(Self.ns(capture["covers_after_ns"]) < 5e9)
        }
    }

    /// Measured on redis under redis-benchmark, 3 runs of 3 (`thief watch -p REDIS
    /// --trigger 'wait > 1ns' --after 10s --max-after 10s --cooldown 1h -d 1s`):
    /// "ended: 1 capture(s); 0 trigger(s) suppressed", then a "suppressed" line
    /// after it, from a wait drained while the last capture was being written.
    @Test(
        "the summary is the watch's last line: a wait drained after the end (the last capture being written) fires nothing"
    )
    func nothingAfterTheSummary() throws {
        try Live.require()
        let dir = try ScratchDir("watch-end")
        let victim = try Self.victim()
        sleepSeconds(0.2)
        let thief = try ThiefRun([
            "watch", "-p", "\(victim.pid)", "--trigger", "wait > 1ns", "--after", "10s", "--max-after", "10s",
            "--cooldown", "1h", "-d", "1s", "--dir", dir.url.path,
        ])
        #expect(thief.wait() == 0)
        _ = victim
        let lines = thief.stderr.split(separator: "\n")
        let last = try #require(lines.last)
        #expect(last.hasPrefix("thief watch: ended: 1 capture(s); 0 trigger(s) suppressed"), "\(thief.stderr)")
        #expect(!lines.contains { $0.contains("suppressed (--cooldown") }, "\(thief.stderr)")
        #expect(Self.captures(dir).count == 1)
    }

    @Test(
        "triggers inside the after-window join the capture (capped by --max-after); --max-per-hour suppresses the rest, counted in the log and in the next capture"
    )
    func joinsAndMaxPerHour() throws {
        try Live.require()
        let dir = try ScratchDir("watch-join")
        let victim = try Self.victim()
        // Bursts, ms after d: 0 starts capture 1 (its trigger t0 ≈ d + 30); 500
        // joins it (the after-window now ends 1 s after it); 1300 joins too, the
        // window capped at t0 + 1.6 s (--max-after); 2500 and 3500 come after
        // capture 1 and inside the limit's window (--max-per-hour 1, its hour
        // shortened to 6 s): suppressed; 6800 is past t0 + 6 s: capture 2,
        // which counts the two suppressed.
        let started = Date()
        let d = Int.random(in: 2500...3000)
        let offsets = [0, 500, 1300, 2500, 3500, 6800]
        let comps = try offsets.enumerated().map { i, o in try Self.burst("wjoin\(i)", delayMs: d + o) }
        sleepSeconds(0.3)
        let thief = try ThiefRun([
            "watch", "-p", "\(victim.pid)", "--trigger", "wait > 25ms", "--before", "500ms", "--after", "1s",
            "--max-after", "1600ms", "--max-per-hour", "1", "--rate-window", "6s", "--dir", dir.url.path,
        ])
        try thief.waitAttached()
        let before = comps.map { $0.books()?.sumExecRuntime ?? 0 }
        try #require(
            Date().timeIntervalSince(started) < Double(d) / 1000 - 0.6, "attached 0.6 s before the first burst")
        // Each competitor's books after its burst, before it exits (6 s after its burst).
        var after = before
        sleepSeconds(Double(d + 3500) / 1000 + 0.4 - Date().timeIntervalSince(started))
        for i in 0..<5 { after[i] = comps[i].books()?.sumExecRuntime ?? 0 }
        sleepSeconds(Double(d + 6800) / 1000 + 0.4 - Date().timeIntervalSince(started))
        after[5] = comps[5].books()?.sumExecRuntime ?? 0
        // Capture 2: its after-window (1 s) and its writing.
        let deadline = Date().addingTimeInterval(8)
        while Self.captures(dir).count < 2 && Date() < deadline { usleep(50_000) }
        thief.interrupt()
        #expect(thief.wait() == 0)
        print("watch stderr:\n\(thief.stderr)")
        let bursts = zip(before, after).map { Double($1) - Double($0) }
        print("bursts by the books (Δsum_exec_runtime, ns): \(bursts)")
        try #require(bursts.allSatisfy { $0 > 25e6 }, "every burst ran over 25 ms by the books: \(bursts)")
        let names = Self.captures(dir)
        try #require(names.count == 2, "captures: \(names)")

        // Capture 1: its trigger is burst 0's wait, bursts 1 and 2 joined it.
        let t1 = try Self.json(dir.path(names[0]) + "/trigger.json")
        let r1 = try Self.json(dir.path(names[0]) + "/report.json")
        try Self.checkTrigger(
            t1, report: r1, victim: victim.pid, competitor: comps[0].pid, burstNs: bursts[0], before: 500e6, after: nil)
        let joined = t1.list("joined")
        try #require(joined.count == 2, "bursts 1 and 2 joined: \(joined)")
        let t0 = Self.ns(t1["time_ns"])
        for (j, burst) in zip(joined, bursts[1...2]) {
            // A joined wait is as long as its burst by the books, and one of the capture's waits.
            agreement(
                "watch", "a joined wait vs its burst's Δsum_exec_runtime", thief: Self.ns(j["value"]), kernel: burst)
            // (The victim wakes up to 250 µs into the burst: its wait is at most the burst.)
            #expect(Self.ns(j["value"]) <= burst && relErr(Self.ns(j["value"]), burst) <= 0.05)
            #expect(j["rule"] as? String == "wait > 25ms")
            let found = r1.list("worst_waits").contains {
                Self.ns($0["tid"]) == Double(victim.pid)
                    && Self.ns($0["start_ns"]) + Self.ns($0["duration_ns"]) == Self.ns(j["time_ns"])
            }
            #expect(found, "the joined wait is among the capture's worst waits")
        }
        // The after-window ran 1 s past burst 1's wait, then burst 2's stopped at the cap.
        let c1 = try #require(t1["capture"] as? [String: Any])
        #expect(Self.ns(c1["covers_after_ns"]) == 1.6e9, "capped at --max-after: \(Self.ns(c1["covers_after_ns"]))")
        #expect(r1.num("window.end_ns") == t0 + 1.6e9)
        #expect(Self.ns(t1["suppressed"]) == 0)

        // Capture 2: burst 5's, counting bursts 3 and 4 (others the shared machine made too).
        let t2 = try Self.json(dir.path(names[1]) + "/trigger.json")
        let r2 = try Self.json(dir.path(names[1]) + "/report.json")
        try Self.checkTrigger(
            t2, report: r2, victim: victim.pid, competitor: comps[5].pid, burstNs: bursts[5], before: 500e6, after: 1e9)
        #expect(t2.list("joined").isEmpty)
        let suppressed = Self.ns(t2["suppressed"])
        #expect(suppressed >= 2, "bursts 3 and 4 suppressed: \(suppressed)")
        // The log: one line for the first suppressed, the count on capture 2's line and the last line.
        let lines = thief.stderr.split(separator: "\n")
        #expect(lines.filter { $0.contains("suppressed (--cooldown/--max-per-hour)") }.count == 1)
        let capture2 = try #require(lines.last { $0.contains(" -> ") })
        #expect(capture2.contains("; \(Int(suppressed)) suppressed"), "\(capture2)")
        #expect(lines.filter { $0.contains(" -> ") }.first?.contains("; 2 joined") == true)
        let last = try #require(lines.last { $0.hasPrefix("thief watch: ended:") })
        #expect(last.contains("2 capture(s); \(Int(suppressed)) trigger(s) suppressed; 0 record(s) lost"), "\(last)")
    }

    @Test("--keep 1 removes only this watch's older captures; planted links and foreign directories stay")
    func keepOnlyOwn() throws {
        try Live.require()
        let dir = try ScratchDir("watch-keep")
        let fm = FileManager.default
        // Hostile neighbours with the captures' prefix.
        try fm.createDirectory(atPath: dir.path("thief-vm-wvictim-foreign-1"), withIntermediateDirectories: false)
        _ = fm.createFile(atPath: dir.path("thief-vm-wvictim-foreign-1/keepme"), contents: Data("x".utf8))
        try fm.createSymbolicLink(atPath: dir.path("thief-link-1"), withDestinationPath: "/etc")
        _ = fm.createFile(atPath: dir.path("thief-file-1"), contents: Data("y".utf8))
        let victim = try Self.victim()
        // The competitors start before the watch: the start-up of a FIFO task on
        // the victim's CPU is a wait of the victim too (a fourth capture under load).
        let started = Date()
        let comps = try [2500, 3500, 4500].map { try Self.burst("wcomp", delayMs: $0) }
        sleepSeconds(0.3)
        let thief = try ThiefRun([
            "watch", "-p", "\(victim.pid)", "--trigger", "wait > 25ms", "--before", "500ms", "--after", "200ms",
            "--keep", "1", "--dir", dir.url.path,
        ])
        try thief.waitAttached()
        try #require(Date().timeIntervalSince(started) < 2.2, "attached before the first burst")
        sleepSeconds(6.2 - Date().timeIntervalSince(started))
        thief.interrupt()
        #expect(thief.wait() == 0)
        _ = comps
        let lines = thief.stderr.split(separator: "\n").filter { $0.contains(" -> ") }
        #expect(lines.count == 3, "three captures written: \(thief.stderr)")
        let ours = Self.captures(dir).filter { !$0.contains("foreign") && !$0.contains("link") && !$0.contains("file") }
        #expect(ours.count == 1, "kept: \(ours)")
        if let last = lines.last, let kept = ours.first { #expect(last.hasSuffix(kept) || last.contains(kept + " ")) }
        #expect(fm.fileExists(atPath: dir.path("thief-vm-wvictim-foreign-1/keepme")))
        #expect((try? fm.destinationOfSymbolicLink(atPath: dir.path("thief-link-1"))) == "/etc")
        #expect(fm.fileExists(atPath: dir.path("thief-file-1")))
    }

    @Test("a window rule (thief[comm=…].stolen over 1s) fires on the burst, once; SIGUSR1 captures on demand")
    func windowRuleAndSignal() throws {
        try Live.require()
        let dir = try ScratchDir("watch-window")
        let victim = try Self.victim()
        sleepSeconds(0.2)
        let thief = try ThiefRun([
            "watch", "-p", "\(victim.pid)", "--trigger", "thief[comm=wcomp].stolen > 20ms over 1s", "--before", "1s",
            "--after", "300ms", "--cooldown", "30s", "--dir", dir.url.path,
        ])
        try thief.waitAttached()
        let delay = Int.random(in: 1100...1500)
        let comp = try Self.burst("wcomp", delayMs: delay)
        sleepSeconds(0.6)
        let b0 = comp.books()?.sumExecRuntime ?? 0
        sleepSeconds(Double(delay) / 1000 - 0.6 + 1.5)
        let b1 = comp.books()?.sumExecRuntime ?? 0
        // The capture: a judgement, the after-window, the writing (slower when the machine is busy).
        let deadline = Date().addingTimeInterval(8)
        while Self.captures(dir).isEmpty && Date() < deadline { usleep(50_000) }
        sleepSeconds(0.5)
        let windows = Self.captures(dir)
        try #require(windows.count == 1, "one capture from the window rule: \(windows) \(thief.stderr)")
        let t = try Self.json(dir.path(windows[0]) + "/trigger.json")
        #expect(t["kind"] as? String == "window" && t["rule"] as? String == "thief[comm=wcomp].stolen > 20ms over 1s")
        let value = Self.ns(t["value"]), burst = Double(b1) - Double(b0)
        agreement(
            "watch", "window rule's stolen ns when it fired vs the burst's Δsum_exec_runtime", thief: value,
            kernel: burst)
        #expect(value > 20e6 && value <= burst * 1.05)
        thief.interrupt()
        #expect(thief.wait() == 0)
        _ = comp

        // SIGUSR1, with no other trigger able to fire.
        let dir2 = try ScratchDir("watch-usr1")
        let quiet = try ThiefRun([
            "watch", "-p", "\(victim.pid)", "--trigger", "wait > 10s", "--before", "500ms", "--after", "200ms",
            "--dir", dir2.url.path,
        ])
        try quiet.waitAttached()
        sleepSeconds(0.7)
        kill(quiet.process.processIdentifier, SIGUSR1)
        let until = Date().addingTimeInterval(8)
        while Self.captures(dir2).isEmpty && Date() < until { usleep(50_000) }
        sleepSeconds(0.3)
        let onDemand = Self.captures(dir2)
        #expect(onDemand.count == 1, "SIGUSR1: \(onDemand) \(quiet.stderr)")
        if let name = onDemand.first {
            let t = try Self.json(dir2.path(name) + "/trigger.json")
            #expect(t["kind"] as? String == "signal" && t["rule"] as? String == "SIGUSR1")
        }
        quiet.interrupt()
        #expect(quiet.wait() == 0)
    }

    @Test("--memory cuts the window: the capture says how far back it really reaches")
    func memoryCut() throws {
        try Live.require()
        let dir = try ScratchDir("watch-memory")
        let victim = try Self.victim()
        // The competitor starts before the watch: its start-up as a FIFO task on
        // the victim's CPU is a wait of the victim too (over 25 ms when the
        // machine is loaded: a second capture).
        let started = Date()
        let comp = try Self.burst("wcomp", delayMs: 7000)
        sleepSeconds(0.3)
        // 2 MiB hold 32,768 records: a second or two of the victim's records.
        let thief = try ThiefRun([
            "watch", "-p", "\(victim.pid)", "--trigger", "wait > 25ms", "--before", "20s", "--after", "200ms",
            "--memory", "2MiB", "--dir", dir.url.path,
        ])
        try thief.waitAttached()
        try #require(Date().timeIntervalSince(started) < 5, "attached well before the burst")
        sleepSeconds(7.8 - Date().timeIntervalSince(started))
        thief.interrupt()
        #expect(thief.wait() == 0)
        _ = comp
        let names = Self.captures(dir)
        try #require(names.count == 1, "\(names) \(thief.stderr)")
        let t = try Self.json(dir.path(names[0]) + "/trigger.json")
        let r = try Self.json(dir.path(names[0]) + "/report.json")
        let c = try #require(t["capture"] as? [String: Any])
        #expect(c["memory_cut"] as? Bool == true)
        let covers = Self.ns(c["covers_before_ns"])
        print("memory cut: covers \(covers / 1e9) s before of 20 s asked, \(Self.ns(c["records"])) records")
        #expect(covers > 0.3e9 && covers < 6e9)
        #expect(Self.ns(c["records"]) <= 32768)
        #expect(r.num("window.start_ns") == Self.ns(c["start_ns"]))
        #expect(Self.ns(t["time_ns"]) - Self.ns(c["start_ns"]) == covers)
    }

    @Test("a bad rule is exit 64 with the gate's message")
    func badRule() throws {
        try Live.require()
        let run = try ThiefRun(["watch", "-p", "1", "--trigger", "runnable_wait.tasks > 30 over 1s"])
        #expect(run.wait() == 64)
        #expect(run.stderr.contains("invalid rule 'runnable_wait.tasks > 30' at column"))
        let wait = try ThiefRun(["watch", "-p", "1", "--trigger", "wait > 20"])
        #expect(wait.wait() == 64)
        #expect(wait.stderr.contains("a wait trigger needs a time"))
    }
}
