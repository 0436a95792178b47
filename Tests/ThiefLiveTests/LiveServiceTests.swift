import Foundation
import Testing
import ThiefCore

/// Whole services as targets: several processes, process trees, cgroups and
/// command names, against the kernel's books of every process.
extension LiveTests {
    /// A cgroup the test makes on the v2 mount (wherever mountinfo says it is).
    final class TestCgroup {
        let cgroup: CgroupV2
        init() throws {
            let mount = try #require(CgroupV2.mountPoint(mountinfo: ProcFS.read("/proc/self/mountinfo") ?? ""))
            let dir = mount + "/thief-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            guard mkdir(dir, 0o755) == 0 else { throw Live.Unavailable(description: "cannot create \(dir)") }
            cgroup = try CgroupV2.resolve(dir)
        }
        deinit {
            // Its processes are gone by now; a cgroup with none is removed with rmdir.
            for pid in (ProcFS.read(cgroup.directory + "/cgroup.procs") ?? "").split(separator: "\n") {
                kill(Int32(pid) ?? 0, SIGKILL)
            }
            usleep(100_000)
            rmdir(cgroup.directory)
        }
    }

    /// A process that moves itself into the cgroup and stops there; the test
    /// reads its books, then SIGCONT lets it exec a spinner pinned to `cpu`.
    static func startInside(_ cg: CgroupV2, name: String, cpu: Int, seconds: Double) throws -> Child {
        let script =
            "echo $$ > '\(cg.directory)/cgroup.procs' && kill -STOP $$ && "
            + "exec '\(Live.workloads)' spin --name \(name) --cpu \(cpu) --seconds \(seconds)"
        let c = try Child(["-c", script], executable: "/bin/sh")
        // Wait until it has stopped itself inside the cgroup.
        for _ in 0..<200 {
            if ProcFS.stat(pid: c.pid, tid: c.pid)?.state == "T" { return c }
            usleep(10_000)
        }
        throw Live.Unavailable(description: "the cgroup member \(name) did not stop itself")
    }

    @Test(
        "--cgroup: processes that join after attach are all traced; an outside competitor is the top thief; they contend"
    )
    func cgroupWithLateMembers() throws {
        try Live.require()
        let cpu = ProcessInfo.processInfo.activeProcessorCount > 1 ? 1 : 0
        let cg = try TestCgroup()
        let competitor = try Child.workload(["spin", "--name", "outsider", "--cpu", "\(cpu)", "--seconds", "30"])
        defer { competitor.end() }
        let thief = try ThiefRun(["--cgroup", cg.cgroup.path, "--format", "json"])
        try thief.waitAttached()
        let members = try (0..<3).map { try Self.startInside(cg.cgroup, name: "member\($0)", cpu: cpu, seconds: 30) }
        defer { members.forEach { $0.end() } }
        competitor.stop()
        let before = try members.map { try #require($0.books()) }
        let c0 = try #require(competitor.books())
        members.forEach { $0.cont() }
        competitor.cont()
        sleepSeconds(2)
        members.forEach { $0.stop() }
        competitor.stop()
        sleepSeconds(0.05)
        let after = try members.map { try #require($0.books()) }
        let c1 = try #require(competitor.books())
        thief.interrupt()
        #expect(thief.wait() == 0)
        let r = try thief.report()

        #expect(r["target"].flatMap { ($0 as? [String: Any])?["kind"] as? String } == "cgroup")
        let ran = zip(before, after).map { Double($1.sumExecRuntime - $0.sumExecRuntime) }
        let processes = r.list("target.processes")
        var thiefSum = 0.0
        for (m, kernel) in zip(members, ran) {
            let row = try #require(
                processes.first { ($0["pid"] as? NSNumber)?.int32Value == m.pid }, "member \(m.pid) not listed")
            let onCore = (row["on_core_ns"] as? NSNumber)?.doubleValue ?? 0
            agreement("cgroup", "member on-core vs its Δse.sum_exec_runtime", thief: onCore, kernel: kernel)
            thiefSum += onCore
        }
        let kernelSum = ran.reduce(0, +)
        agreement(
            "cgroup", "sum of members' on-core vs sum of Δse.sum_exec_runtime", thief: thiefSum, kernel: kernelSum)
        #expect(relErr(thiefSum, kernelSum) < 0.01)

        let top = try #require(r.list("thieves").first)
        #expect((top["pid"] as? NSNumber)?.int32Value == competitor.pid, "top thief: \(top)")
        agreement(
            "cgroup", "outsider's stolen time vs its Δse.sum_exec_runtime",
            thief: (top["stolen_ns"] as? NSNumber)?.doubleValue ?? 0,
            kernel: Double(c1.sumExecRuntime - c0.sumExecRuntime))

        // Pinned together, each member's run time lies inside the others'
        // waits: contention among targets is their run time.
        let contention = r.list("contention")
        #expect(contention.allSatisfy { $0["target"] as? Bool == true })
        let contended = contention.reduce(0.0) { $0 + (($1["stolen_ns"] as? NSNumber)?.doubleValue ?? 0) }
        agreement("cgroup", "contention among members vs their run time", thief: contended, kernel: kernelSum)
        #expect(relErr(contended, kernelSum) < 0.10)
        #expect(!contention.contains { ($0["pid"] as? NSNumber)?.int32Value == competitor.pid })
    }

    /// Slots "1": every thread but one lives in the kernel side's overflow
    /// map (THIEF_THREAD_SLOTS), as tids that share a slot do where pid_max
    /// is larger than the slot array; the books must come out the same.
    @Test(
        "-p PID --children: children forked after attach are traced, each as its own books say",
        arguments: ["default", "1"])
    func childrenForkedAfterAttach(slots: String) throws {
        try Live.require()
        // The parent forks two spinners 0.5 s in and prints each one's books
        // from its zombie: its whole life, exit included. It is stopped until
        // thief has attached, so the children are forked after attach however
        // long attaching takes (under load a debug thief once took longer
        // than 0.5 s: the children ran before it and were 11% short).
        let parent = try ThiefRun(
            ["children", "--threads", "2", "--delay-ms", "500", "--seconds", "1"], executable: Live.workloads)
        let parentPid = parent.process.processIdentifier
        kill(parentPid, SIGSTOP)
        let thief = try ThiefRun(
            ["-p", "\(parentPid)", "--children", "--format", "json"],
            environment: slots == "default" ? nil : ["THIEF_THREAD_SLOTS": slots])
        try thief.waitAttached()
        kill(parentPid, SIGCONT)
        #expect(parent.wait() == 0)
        #expect(thief.wait() == 0, "thief ends when the tree is gone: \(thief.stderr)")
        let r = try thief.report()
        #expect(r["target"].flatMap { ($0 as? [String: Any])?["kind"] as? String } == "tree")
        let books = parent.stdout.split(separator: "\n").compactMap { line -> (Int32, Double)? in
            let f = line.split(separator: " ")
            guard f.count == 3, f[0] == "books", let pid = Int32(f[1]), let ns = Double(f[2]) else { return nil }
            return (pid, ns)
        }
        #expect(books.count == 2)
        for (pid, kernel) in books {
            let onCore = r.list("target.threads").filter { ($0["tgid"] as? NSNumber)?.int32Value == pid }
                .reduce(0.0) { $0 + (($1["on_core_ns"] as? NSNumber)?.doubleValue ?? 0) }
            agreement(
                "children (slots: \(slots))", "child on-core vs its own books at exit", thief: onCore, kernel: kernel)
            // Both count the whole life (a child whose first switch-in was never
            // traced was once credited from the run's start: +37%).
            #expect(relErr(onCore, kernel) < 0.001)
        }
    }

    @Test("-p A,B: two processes, each exactly")
    func twoProcesses() throws {
        try Live.require()
        let cpu = ProcessInfo.processInfo.activeProcessorCount > 1 ? 1 : 0
        let a = try Child.workload(["spin", "--name", "procA", "--cpu", "\(cpu)", "--seconds", "30"])
        let b = try Child.workload(["spin", "--name", "procB", "--cpu", "\(cpu)", "--seconds", "30"])
        defer {
            a.end()
            b.end()
        }
        sleepSeconds(0.2)
        a.stop()
        b.stop()
        let thief = try ThiefRun(["-p", "\(a.pid),\(b.pid)", "--format", "json"])
        try thief.waitAttached()
        let a0 = try #require(a.books()), b0 = try #require(b.books())
        a.cont()
        b.cont()
        sleepSeconds(1.5)
        a.stop()
        b.stop()
        sleepSeconds(0.05)
        let a1 = try #require(a.books()), b1 = try #require(b.books())
        thief.interrupt()
        #expect(thief.wait() == 0)
        let r = try thief.report()
        #expect(r["target"].flatMap { ($0 as? [String: Any])?["kind"] as? String } == "processes")
        for (c, k0, k1) in [(a, a0, a1), (b, b0, b1)] {
            let onCore = r.thread(c.pid).flatMap { ($0["on_core_ns"] as? NSNumber)?.doubleValue } ?? 0
            agreement(
                "processes", "on-core vs Δse.sum_exec_runtime", thief: onCore,
                kernel: Double(k1.sumExecRuntime - k0.sumExecRuntime))
            #expect(relErr(onCore, Double(k1.sumExecRuntime - k0.sumExecRuntime)) < 0.01)
        }
    }

    @Test("--comm: a process exec'd with the name during the run joins")
    func commExecDuringRun() throws {
        try Live.require()
        let name = "thiefcomm\(Int.random(in: 100...999))"
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("thief-comm-\(getpid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let link = dir.appendingPathComponent(name).path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: Live.workloads)
        let first = try Child.workload(["periodic", "--name", name, "--seconds", "30"])
        defer { first.end() }
        sleepSeconds(0.2)
        let thief = try ThiefRun(["--comm", name, "-d", "2500ms", "--format", "json"])
        try thief.waitAttached()
        let late = try ThiefRun(["-c", "sleep 0.3; exec '\(link)' spin --seconds 1 --books"], shell: true)
        #expect(late.wait() == 0)
        #expect(thief.wait() == 0)
        let r = try thief.report()
        #expect(r["target"].flatMap { ($0 as? [String: Any])?["kind"] as? String } == "comm")
        #expect(r.thread(first.pid) != nil, "the process named \(name) at the start is traced")
        let books = late.stdout.split(separator: " ")
        let pid = try #require(books.count == 3 ? Int32(books[1]) : nil, "no books line: \(late.stdout)")
        let kernel = Double(books[2].trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        let onCore = r.thread(pid).flatMap { ($0["on_core_ns"] as? NSNumber)?.doubleValue } ?? 0
        agreement(
            "comm",
            "exec'd process on-core vs its own books (the shell before exec is in the books, the exit after them is not)",
            thief: onCore, kernel: kernel)
        #expect(relErr(onCore, kernel) < 0.02)
    }

    @Test(
        "target errors: each one line with its exit code",
        arguments: [
            (["--cgroup", "thief-no-such-cgroup", "-d", "1s"], Int32(2), "no cgroup"),
            (["--comm", "thief-nosuch", "-d", "1s"], 2, "no process named"),
            (["--unit", "thief-nosuch.service", "-d", "1s"], 2, "unit"),
            (["-p", "1", "--comm", "x"], 64, "exclusive"),
            (["--children", "--comm", "x"], 64, "--children goes with -p"),
            (["--comm", "x", "--cgroup", "/"], 64, "exclusive"),
            (["-p", "1,0"], 64, "invalid PID 0"),
        ])
    func targetErrors(args: [String], code: Int32, message: String) throws {
        try Live.require()
        let thief = try ThiefRun(args)
        #expect(thief.wait() == code)
        let lines = thief.stderr.split(separator: "\n")
        #expect(lines.count == 1 && thief.stderr.contains(message), "stderr: \(thief.stderr)")
    }
}
