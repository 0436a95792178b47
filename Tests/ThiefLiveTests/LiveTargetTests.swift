import Foundation
import Testing
import ThiefCore

/// Targets that are not what they seem (issue 22, item 4): a zombie, thief
/// itself among a shell's children, a process exec'd while `--comm --wait`
/// runs, a command's background children when `-d` ends the run.
@Suite(
    "Targets that are not what they seem", .serialized,
    .enabled(if: Live.enabled, "needs root, eBPF and the built thief binary"))
struct TargetTests {
    @Test("-p of a zombie: exit 2, one line saying it is gone (it was traced as alive until -d)")
    func zombie() throws {
        try Live.require()
        // `sleep 0.05` (under a name of its own) exits; its parent, exec'd into `sleep 5`, never reaps it.
        let name = "thiefzomb\(Int.random(in: 100...999))"
        let link = FileManager.default.temporaryDirectory.appendingPathComponent(name).path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "/bin/sleep")
        defer { try? FileManager.default.removeItem(atPath: link) }
        let parent = try ThiefRun(["-c", "'\(link)' 0.05 & echo $!; exec sleep 5"], shell: true)
        defer { kill(parent.process.processIdentifier, SIGKILL) }
        sleepSeconds(0.4)
        let pid = try #require(Int32(parent.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(ProcFS.stat(pid: pid, tid: pid)?.state == "Z")
        for args in [["-p", "\(pid)"], ["-p", "\(pid)", "--children"], ["-t", "\(pid)"], ["--comm", name]] {
            let thief = try ThiefRun(args + ["-d", "1s", "--format", "json"])
            #expect(thief.wait() == 2, "\(args)")
            guard args[0] != "--comm" else {
                #expect(thief.stderr.contains("no process named '\(name)' is running"), "\(thief.stderr)")
                continue
            }
            #expect(
                thief.stderr
                    == "thief: error: \(args[0] == "-t" ? "thread" : "process") \(pid) is gone (zombie: it exited and its parent has not reaped it)\n",
                "\(thief.stderr)")
        }
    }

    @Test("-p $$ --children from a shell: thief's own process is not a target")
    func notItself() throws {
        try Live.require()
        // The shell forks thief (`; true` keeps it from exec'ing it): thief is one of $$'s children.
        let sh = try ThiefRun(
            ["-c", "'\(Live.binary)' -p $$ --children -d 1s -q --format json; true"], shell: true)
        #expect(sh.wait() == 0, "\(sh.stderr)")
        let r = try sh.report()
        let comms = r.list("target.threads").compactMap { $0["comm"] as? String }
        #expect(!comms.isEmpty && !comms.contains("thief"), "threads: \(comms)")
        let tracer = try ThiefRun(["-c", "exec '\(Live.binary)' -p $$ -d 1s -q"], shell: true)
        #expect(tracer.wait() == 2 && tracer.stderr.contains("itself"), "\(tracer.stderr)")
    }

    @Test("--comm NAME --wait: a process exec'd during the run is traced from its exec (within 0.5% of its books)")
    func commWaitFromExec() throws {
        try Live.require()
        let name = "thiefwait\(Int.random(in: 100...999))"
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("thief-wait-\(getpid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let link = dir.appendingPathComponent(name).path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: Live.workloads)
        let thief = try ThiefRun(["--comm", name, "--wait", "-d", "3s", "--format", "json"])
        // Before: thief polled /proc and only then loaded the tracer (~100 ms to 1 s late).
        try thief.waitAttached()
        sleepSeconds(0.3)
        // Spawned without a shell (posix_spawn: next to nothing runs between fork and exec), on CPU 1
        // as the issue did; its books are read once it has exited, before it is reaped (a zombie's
        // /proc/PID/sched holds its whole on-core time).
        let argv = [link, "spin", "--seconds", "1", "--cpu", "1"]
        var cargs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { cargs.forEach { free($0) } }
        var pid: pid_t = 0
        #expect(posix_spawn(&pid, link, nil, nil, &cargs, environ) == 0)
        var kernel: Double = 0
        for _ in 0..<600 {
            if ProcFS.stat(pid: pid, tid: pid)?.state == "Z" {
                kernel = Double(ProcFS.sched(pid: pid, tid: pid)?.sumExecRuntime ?? 0)
                break
            }
            sleepSeconds(0.01)
        }
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        #expect(thief.wait() == 0, "\(thief.stderr)")
        #expect(kernel > 0, "no books for \(pid)")
        let r = try thief.report()
        let onCore = r.thread(pid).flatMap { ($0["on_core_ns"] as? NSNumber)?.doubleValue } ?? 0
        agreement("comm --wait", "exec'd process on-core vs its own books", thief: onCore, kernel: kernel)
        #expect(relErr(onCore, kernel) < 0.005, "thief \(onCore) ns, books \(kernel) ns")
    }

    @Test("SIGTERM during --comm --wait with none started: the empty report, then one line and exit 2")
    func commWaitNone() throws {
        try Live.require()
        let thief = try ThiefRun(["--comm", "thief-none\(Int.random(in: 100...999))", "--wait", "--format", "json"])
        try thief.waitAttached()
        kill(thief.process.processIdentifier, SIGTERM)
        #expect(thief.wait() == 2)
        #expect(try thief.report().list("target.threads").isEmpty)
        #expect(thief.stderr.hasSuffix("appeared during the run\n"), "\(thief.stderr)")
    }

    /// Measured: `thief --comm nosuch --wait -d 1s -q` printed "thief: no process
    /// named 'nosuch' yet: …" although -q promises only errors (a cron job's mail).
    @Test("-q with --comm --wait and none started: stderr is the one error line")
    func commWaitNoneQuiet() throws {
        try Live.require()
        let name = "thief-none\(Int.random(in: 100...999))"
        let thief = try ThiefRun(["--comm", name, "--wait", "-d", "300ms", "-q", "--format", "json"])
        #expect(thief.wait() == 2)
        #expect(try thief.report().list("target.threads").isEmpty)
        #expect(thief.stderr == "thief: error: no process named '\(name)' appeared during the run\n", "\(thief.stderr)")
    }

    @Test("-d ends a command's run: its process group gets SIGTERM, background children included")
    func commandGroup() throws {
        try Live.require()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("thief-yes-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        // One shell runs thief, then looks for `yes` 0.3 s after thief exited (and ends it if it is left).
        let script = """
            '\(Live.binary)' -d 1s -q -o /dev/null -- sh -c 'yes >/dev/null & echo $! > \(file); sleep 10'
            echo "exit $?"; sleep 0.3; y=$(cat \(file))
            if grep -qs '^State:[[:space:]]*[RSD]' /proc/$y/status; then echo "left $y"; kill $y; else echo gone; fi
            """
        let sh = try ThiefRun(["-c", script], shell: true)
        #expect(sh.wait() == 0)
        #expect(sh.stdout == "exit 0\ngone\n", "\(sh.stdout)\(sh.stderr)")
    }

    /// A background group reading its terminal is stopped (SIGTTIN): before
    /// thief gave the terminal to the command's group, `read` stopped the
    /// command and the run never ended. python3's pty makes thief the
    /// foreground job of a terminal of its own.
    @Test("-- CMD on a terminal: the command's group gets the terminal, reads it, and thief reports when it exits")
    func commandOnTerminal() throws {
        try Live.require()
        let dir = try ScratchDir("tty")
        let driver = """
            import os, pty, select, signal, sys, time
            thief, out = sys.argv[1], sys.argv[2]
            pid, fd = pty.fork()
            if pid == 0:
                os.execv(thief, [thief, "--format", "json", "-o", out, "--", "sh", "-c", "read x; echo got:$x"])
            buf, status, deadline = b"", None, time.time() + 30
            time.sleep(1)
            os.write(fd, b"hi\\n")
            while status is None and time.time() < deadline:
                if select.select([fd], [], [], 0.1)[0]:
                    try:
                        buf += os.read(fd, 4096)
                    except OSError:
                        pass
                p, st = os.waitpid(pid, os.WNOHANG)
                if p == pid:
                    status = os.waitstatus_to_exitcode(st)
            if status is None:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            print("exit", status)
            print(buf.decode(errors="replace"))
            """
        try driver.write(toFile: dir.path("drive-tty.py"), atomically: true, encoding: .utf8)
        let command = "python3 '\(dir.path("drive-tty.py"))' '\(Live.binary)' '\(dir.path("r.json"))'"
        let py = try ThiefRun(["-c", command], shell: true)
        #expect(py.wait(timeout: 60) == 0)
        #expect(py.stdout.hasPrefix("exit 0\n"), "\(py.stdout)")
        #expect(py.stdout.contains("got:hi"), "\(py.stdout)")
        let data = try Data(contentsOf: URL(fileURLWithPath: dir.path("r.json")))
        let r = try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect((r["window"] as? [String: Any])?["end_reason"] as? String == "target-exited")
        #expect((r["target"] as? [String: Any])?["exit_status"] as? Int == 0)
    }
}
