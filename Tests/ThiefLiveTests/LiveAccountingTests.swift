import Foundation
import Testing
import ThiefCore

/// thief's numbers against the kernel's own books, on workloads the tests
/// start and control. Each test stops its workload (SIGSTOP) before reading
/// /proc at both ends of the measured part, so the kernel's deltas and
/// thief's window cover exactly the same activity.
@Suite("Live eBPF", .serialized, .enabled(if: Live.enabled, "live eBPF tests need root and /sys/kernel/btf/vmlinux"))
struct LiveTests {
    /// Both ways of attaching (tp_btf, and the raw_tp fallback) must give the same books.
    @Test(
        "a competitor on the victim's CPU is the top thief; on-core, slices and runnable wait match the kernel",
        arguments: ["tp_btf", "raw_tp"])
    func competitorOnSameCPU(attach: String) throws {
        try Live.require()
        let victim = try Child.workload(["spin", "--name", "victim", "--cpu", "0", "--seconds", "30"])
        let competitor = try Child.workload(["spin", "--name", "competitor", "--cpu", "0", "--seconds", "30"])
        defer {
            victim.end()
            competitor.end()
        }
        sleepSeconds(0.3)
        victim.stop()
        competitor.stop()

        let thief = try ThiefRun(["-p", "\(victim.pid)", "--attach", attach, "--format", "json"])
        try thief.waitAttached()
        #expect(thief.stderr.contains("via \(attach)"))
        let v0 = try #require(victim.books()), c0 = try #require(competitor.books())
        victim.cont()
        competitor.cont()
        sleepSeconds(3)
        victim.stop()
        competitor.stop()
        sleepSeconds(0.05)
        let v1 = try #require(victim.books()), c1 = try #require(competitor.books())
        thief.interrupt()
        #expect(thief.wait() == 0)
        let r = try thief.report()

        let onCore = r.num("on_core.total_ns"), kernelOn = Double(v1.sumExecRuntime - v0.sumExecRuntime)
        agreement("competitor \(attach)", "victim on-core ns vs se.sum_exec_runtime", thief: onCore, kernel: kernelOn)
        #expect(relErr(onCore, kernelOn) < 0.03)

        let slices = r.num("on_core.count"), switches = Double(v1.nrSwitches - v0.nrSwitches)
        agreement("competitor \(attach)", "victim slices vs nr_switches", thief: slices, kernel: switches)
        #expect(abs(slices - switches) <= 2)

        let wait = r.num("runnable_wait.total_ns"), runDelay = Double(v1.runDelay - v0.runDelay)
        agreement(
            "competitor \(attach)", "victim runnable wait ns vs schedstat run_delay", thief: wait, kernel: runDelay)
        #expect(relErr(wait, runDelay) < 0.05)

        let thieves = r.list("thieves")
        let top = try #require(thieves.first)
        #expect((top["pid"] as? NSNumber)?.int32Value == competitor.pid)
        #expect(top["comm"] as? String == "competitor")
        let stolen = (top["stolen_ns"] as? NSNumber)?.doubleValue ?? 0
        let compRan = Double(c1.sumExecRuntime - c0.sumExecRuntime)
        agreement(
            "competitor \(attach)", "competitor stolen ns vs its se.sum_exec_runtime", thief: stolen, kernel: compRan)
        #expect(relErr(stolen, compRan) < 0.10)

        let migrations = r.num("migrations.count")
        #expect(migrations == Double(v1.nrMigrations - v0.nrMigrations))
        // The books balance: on-core + off-core = the window, per thread.
        let t = try #require(r.thread(victim.pid))
        let on = (t["on_core_ns"] as? NSNumber)?.doubleValue ?? 0,
            off = (t["off_core_ns"] as? NSNumber)?.doubleValue ?? 0
        let window = r.num("window.duration_ns")
        #expect(relErr(on + off, window) < 0.01)
        #expect(r.num("lost_events") == 0)
        #expect(r.num("off_core.by_state.preempted.total_ns") > 0.9 * kernelOn)
    }

    @Test("migrations equal se.nr_migrations when the test flips the victim's affinity")
    func affinityFlips() throws {
        try Live.require()
        let victim = try Child.workload(["spin", "--name", "flipper", "--cpu", "0", "--seconds", "30"])
        defer { victim.end() }
        sleepSeconds(0.2)
        victim.stop()
        let thief = try ThiefRun(["-p", "\(victim.pid)", "--format", "json"])
        try thief.waitAttached()
        let b0 = try #require(victim.books())
        victim.cont()
        let flips = 10
        for i in 0..<flips {
            sleepSeconds(0.1)
            #expect(pin(victim.pid, cpu: (i + 1) % 2))
        }
        sleepSeconds(0.1)
        victim.stop()
        sleepSeconds(0.05)
        let b1 = try #require(victim.books())
        thief.interrupt()
        #expect(thief.wait() == 0)
        let r = try thief.report()
        let kernel = Double(b1.nrMigrations - b0.nrMigrations)
        let count = r.num("migrations.count")
        agreement("affinity", "migrations vs se.nr_migrations", thief: count, kernel: kernel)
        #expect(count == kernel)
        #expect(kernel >= Double(flips))
        #expect(
            r.num("migrations.at_wakeup") + r.num("migrations.while_queued") + r.num("migrations.while_running")
                == count)
        #expect(r.num("migrations.while_running") >= 1)
        #expect(((r["window"] as? [String: Any])?["cpus_seen"] as? [Int])?.count == 2)
    }

    /// Slots "1": the seeded thread holds the only slot and every worker
    /// lives in the overflow map (see childrenForkedAfterAttach).
    @Test("threads created after thief attached are all accounted", arguments: ["default", "1"])
    func threadsCreatedDuringRun(slots: String) throws {
        try Live.require()
        let proc = try Child.workload([
            "threads", "--name", "pool", "--threads", "3", "--delay-ms", "1000", "--seconds", "30",
        ])
        defer { proc.end() }
        sleepSeconds(0.1)
        let thief = try ThiefRun(
            ["-p", "\(proc.pid)", "--format", "json"],
            environment: slots == "default" ? nil : ["THIEF_THREAD_SLOTS": slots])
        try thief.waitAttached()
        #expect(proc.threads.count == 1, "workers must start after thief attached")
        sleepSeconds(2.5)
        proc.stop()
        sleepSeconds(0.05)
        let tids = proc.threads
        #expect(tids.count == 4)
        let books = Dictionary(uniqueKeysWithValues: tids.compactMap { tid in proc.books(tid).map { (tid, $0) } })
        thief.interrupt()
        #expect(thief.wait() == 0)
        let r = try thief.report()
        for tid in tids where tid != proc.pid {
            let t = try #require(r.thread(tid), "thread \(tid) missing from the report")
            let on = (t["on_core_ns"] as? NSNumber)?.doubleValue ?? 0
            let kernel = Double(books[tid]?.sumExecRuntime ?? 0)  // born inside the window
            agreement(
                "threads (slots: \(slots))", "worker \(tid) on-core vs se.sum_exec_runtime", thief: on, kernel: kernel)
            #expect(relErr(on, kernel) < 0.03)
            #expect((t["comm"] as? String)?.hasPrefix("worker") == true)
            #expect(((t["slices"] as? NSNumber)?.intValue ?? 0) > 10)
        }
    }

    @Test("a sleeping victim's off-core time lands in 'sleeping', not 'preempted'")
    func sleepingVictim() throws {
        try Live.require()
        let victim = try Child.workload([
            "periodic", "--name", "sleeper", "--period-ms", "10", "--burst-ms", "1", "--seconds", "30",
        ])
        defer { victim.end() }
        sleepSeconds(0.2)
        let thief = try ThiefRun(["-p", "\(victim.pid)", "-d", "2s", "--format", "json"])
        #expect(thief.wait() == 0)
        let r = try thief.report()
        let off = r.num("off_core.total_ns")
        let sleeping = r.num("off_core.by_state.sleeping.total_ns")
        let preempted = r.num("off_core.by_state.preempted.total_ns")
        #expect(off > 1e9)
        #expect(sleeping > 0.9 * off)
        #expect(preempted < 0.1 * off)
        #expect(r.num("off_core.by_state.sleeping.count") > 100)
        #expect(r["schema"] as? Int == 1)
        #expect((r["window"] as? [String: Any])?["end_reason"] as? String == "duration")
    }

    @Test("thief -- CMD launches, traces and reports the command's exit status")
    func launchCommand() throws {
        try Live.require()
        let thief = try ThiefRun([
            "--format", "json", "--", Live.workloads, "spin", "--name", "launched", "--seconds", "0.6",
        ])
        #expect(thief.wait() == 0)
        let r = try thief.report()
        #expect((r["target"] as? [String: Any])?["exit_status"] as? Int == 0)
        #expect((r["window"] as? [String: Any])?["end_reason"] as? String == "target-exited")
        let on = r.num("on_core.total_ns")
        #expect(on > 0.4e9 && on < 0.8e9)
        #expect((r["target"] as? [String: Any])?["comm"] as? String == "launched")

        let failing = try ThiefRun(["--format", "json", "--", "/bin/sh", "-c", "exit 3"])
        #expect(failing.wait() == 0)
        #expect((try failing.report()["target"] as? [String: Any])?["exit_status"] as? Int == 3)

        let missing = try ThiefRun(["--", "/nonexistent/command"])
        #expect(missing.wait() == 2)
        #expect(missing.stderr.contains("cannot run '/nonexistent/command'"))
        #expect(missing.stderr.split(separator: "\n").count == 1)
    }

    @Test("a PID that exits mid-run still gets its report")
    func targetExitsMidRun() throws {
        try Live.require()
        let victim = try Child.workload(["spin", "--name", "shortlived", "--seconds", "1.0"])
        defer { victim.end() }
        sleepSeconds(0.1)
        let thief = try ThiefRun(["-p", "\(victim.pid)", "--format", "json"])
        #expect(thief.wait(timeout: 20) == 0)
        let r = try thief.report()
        #expect((r["window"] as? [String: Any])?["end_reason"] as? String == "target-exited")
        let t = try #require(r.thread(victim.pid))
        #expect(t["exited"] as? Bool == true)
        #expect(r.num("on_core.total_ns") > 0.3e9)
    }

    @Test("SIGTERM ends the run and the report is still printed")
    func sigtermStillReports() throws {
        try Live.require()
        let victim = try Child.workload(["periodic", "--name", "termed", "--seconds", "30"])
        defer { victim.end() }
        let thief = try ThiefRun(["-p", "\(victim.pid)"])
        try thief.waitAttached()
        sleepSeconds(0.5)
        thief.process.terminate()
        #expect(thief.wait() == 0)
        #expect(thief.stdout.contains("1. Migrations"))
        #expect(thief.stdout.contains("5. Interrupts that took it"))
        #expect(thief.stdout.contains("ended: signal"))
    }

    /// The kernel side holds a CPU's records while targets run back to back
    /// (thief_abi.h: thief_batch), unless a recording needs them in time
    /// order; a run that ends meanwhile reads them from the per-CPU batches.
    /// thief runs on the other CPU: woken by SIGINT on the pair's CPU, it
    /// would itself be the switch that sends them. A run may still end just
    /// as some other task has the pair's CPU (nothing held then): three tries.
    @Test(
        "a run that ends while targets switch back to back gets every record, the held ones too",
        arguments: ["hold", "record"])
    func heldRecordsAtTheEnd(mode: String) throws {
        try Live.require()
        let cpu = ProcessInfo.processInfo.activeProcessorCount > 1 ? 1 : 0
        let pair = try Child.workload(["pipe-pair", "--cpu", "\(cpu)", "--seconds", "30"])
        defer { pair.end() }
        sleepSeconds(0.2)
        var heldSeen: [Double] = []
        for _ in 0..<3 {
            let held = try tracePair(pair.pid, mode: mode, thiefCPU: 1 - cpu)
            heldSeen.append(held)
            if mode == "record" || held > 0 { break }
        }
        if mode == "hold" {
            #expect(heldSeen.contains { $0 > 0 && $0 <= 64 }, "a batch holds the last switches' records: \(heldSeen)")
        } else {
            #expect(heldSeen == [0])
        }
    }

    /// One run of heldRecordsAtTheEnd, checked; returns the records held at the end.
    private func tracePair(_ pid: Int32, mode: String, thiefCPU: Int) throws -> Double {
        let scratch = try ScratchDir("held")
        let record = mode == "record" ? " --record \(scratch.path("run.thief"))" : ""
        let thief = try ThiefRun(
            ["-c", "exec taskset -c \(thiefCPU) \(Live.binary) -p \(pid) --self-cost --format json\(record)"],
            shell: true)
        try thief.waitAttached()
        sleepSeconds(1)
        thief.interrupt()  // the pair still switches from one thread to the other
        #expect(thief.wait() == 0, "\(thief.stderr)")
        let r = try thief.report()
        let sent = r.num("tracer.self_cost.records_sent"), held = r.num("tracer.self_cost.records_held_at_end")
        agreement("held \(mode)", "records in the report vs sent + held", thief: r.num("records"), kernel: sent + held)
        #expect(r.num("records") == sent + held)
        #expect(r.num("lost_events") == 0)
        #expect(r.num("on_core.count") > 2_000, "the pair must switch back to back")
        for t in r.list("target.threads") {
            let on = (t["on_core_ns"] as? NSNumber)?.doubleValue ?? 0,
                off = (t["off_core_ns"] as? NSNumber)?.doubleValue ?? 0
            #expect(relErr(on + off, r.num("window.duration_ns")) < 0.01)
        }
        return held
    }

    @Test("bad input: one line on stderr and the documented exit code")
    func errors() throws {
        try Live.require()
        func unusedPID() -> Int32 {
            var pid: Int32 = 4_000_000
            while ProcFS.exists(pid) { pid -= 1 }
            return pid
        }
        let cases: [(args: [String], user: String?, env: [String: String]?, code: Int32, message: String)] = [
            (["-p", "\(unusedPID())", "-d", "1s"], nil, nil, 2, "no process with PID"),
            (["-p", "1", "-d", "1s"], "nobody", nil, 2, "permission denied"),
            (["-p", "1", "-d", "1s"], nil, ["THIEF_SYSFS_BTF": "/nonexistent/vmlinux"], 2, "no kernel BTF"),
            (["-p", "1", "-d", "1s"], nil, ["THIEF_THREAD_SLOTS": "3"], 2, "thread slots must be a power of two"),
            (["-p", "1", "-d", "1s"], nil, ["THIEF_THREAD_SLOTS": "x"], 2, "thread slots must be a power of two"),
            (["-p", "1", "-d", "10x"], nil, nil, 64, "invalid duration '10x'"),
            (["-p", "1", "-d", "0"], nil, nil, 64, "invalid duration"),
            ([], nil, nil, 64, "say what to trace"),
            (["-p", "1", "--", "ls"], nil, nil, 64, "exclusive"),
            (["-t", "1,x"], nil, nil, 64, "invalid thread list"),
        ]
        for c in cases {
            let run = try ThiefRun(c.args, user: c.user, environment: c.env)
            let code = run.wait()
            #expect(code == c.code, "\(c.args): exit \(code), stderr: \(run.stderr)")
            #expect(run.stderr.contains(c.message), "\(c.args): \(run.stderr)")
            #expect(!run.stderr.contains("Fatal error") && !run.stderr.contains("Stack dump"))
            #expect(run.stdout.isEmpty)
            if c.code == 2 {
                #expect(run.stderr.split(separator: "\n").count == 1, "\(c.args): \(run.stderr)")
            }
        }
    }
}

extension LiveTests {
    @Test("-t traces the chosen threads only")
    func chosenThreads() throws {
        try Live.require()
        let proc = try Child.workload([
            "threads", "--name", "pool", "--threads", "3", "--delay-ms", "0", "--seconds", "30",
        ])
        defer { proc.end() }
        sleepSeconds(0.3)
        let workers = proc.threads.filter { $0 != proc.pid }
        #expect(workers.count == 3)
        let chosen = Array(workers.prefix(2))
        let thief = try ThiefRun([
            "-t", chosen.map(String.init).joined(separator: ","), "-d", "500ms", "--format", "json",
        ])
        #expect(thief.wait() == 0)
        let r = try thief.report()
        let tids = r.list("target.threads").compactMap { ($0["tid"] as? NSNumber)?.int32Value }
        #expect(Set(tids) == Set(chosen))
        for tid in chosen { #expect(((r.thread(tid)?["slices"] as? NSNumber)?.intValue ?? 0) > 10) }
    }
}
