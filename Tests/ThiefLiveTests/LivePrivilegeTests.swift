import Foundation
import Testing
import ThiefCore

/// Least privilege: thief as a non-root user with only CAP_BPF and
/// CAP_PERFMON (file capabilities), and the user a launched command runs as
/// under sudo, with --as-root and with --user.
extension LiveTests {
    /// nobody's uid and nogroup's gid (the user the tests drop to).
    static var nobody: (uid: uid_t, gid: gid_t) {
        (getpwnam("nobody")?.pointee.pw_uid ?? 65534, getgrnam("nogroup")?.pointee.gr_gid ?? 65534)
    }

    /// A copy of the built thief in a fresh directory that nobody can reach
    /// (0755), with these file capabilities (nil: none).
    final class ThiefCopy {
        let dir: String
        let path: String

        init(capabilities: String?) throws {
            var template = Array("/tmp/thief-caps-XXXXXX".utf8CString)
            guard let made = mkdtemp(&template) else { throw Live.Unavailable(description: "mkdtemp failed") }
            dir = String(cString: made)
            path = dir + "/thief"
            chmod(dir, 0o755)
            try FileManager.default.copyItem(atPath: Live.binary, toPath: path)
            chmod(path, 0o755)
            if let capabilities {
                let status = try LiveTests.runTool("/usr/sbin/setcap", [capabilities, path])
                guard status == 0 else {
                    throw Live.Unavailable(description: "setcap \(capabilities) \(path) failed (exit \(status))")
                }
            }
        }

        deinit { try? FileManager.default.removeItem(atPath: dir) }
    }

    /// Runs a tool to its end; its exit status.
    static func runTool(_ tool: String, _ args: [String]) throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        return p.terminationStatus
    }

    /// A process owned by nobody: sleep, started through setpriv (which execs it: same PID).
    static func nobodySleep() throws -> Child {
        let child = try Child(
            ["--reuid=nobody", "--regid=nogroup", "--clear-groups", "/bin/sleep", "60"],
            executable: "/usr/bin/setpriv")
        let deadline = Date().addingTimeInterval(5)
        while ProcFS.comm(pid: child.pid) != "sleep" && Date() < deadline { usleep(10_000) }
        return child
    }

    @Test("as nobody with only CAP_BPF and CAP_PERFMON: -p, --cgroup and -- CMD work")
    func capabilitiesOnly() throws {
        try Live.require()
        let copy = try ThiefCopy(capabilities: "cap_bpf,cap_perfmon+ep")
        let sleeper = try Self.nobodySleep()
        #expect(ProcFS.status(sleeper.pid)?["Uid"]?.split(separator: "\t").first == "\(Self.nobody.uid)")

        // A cgroup of the test's own, below the v2 mount, holding nobody's sleep.
        let mount = try #require(ProcFS.read("/proc/self/mountinfo").flatMap(CgroupV2.mountPoint))
        let name = "thief-priv-\(getpid())"
        let cgroup = (mount.hasSuffix("/") ? mount : mount + "/") + name
        try FileManager.default.createDirectory(atPath: cgroup, withIntermediateDirectories: false)
        defer {
            sleeper.end()
            rmdir(cgroup)
        }
        try "\(sleeper.pid)\n".write(toFile: cgroup + "/cgroup.procs", atomically: false, encoding: .utf8)

        // What the report's target says of each: its PID, the cgroup's path, the command's exit.
        let targets: [(what: String, args: [String], check: ([String: Any]) -> Bool)] = [
            ("-p", ["-p", "\(sleeper.pid)"], { ($0["pid"] as? NSNumber)?.int32Value == sleeper.pid }),
            ("--cgroup", ["--cgroup", "/" + name], { ($0["pid"] as? NSNumber)?.int32Value == sleeper.pid }),
            ("-- CMD", ["--", "/bin/true"], { ($0["exit_status"] as? NSNumber)?.intValue == 0 }),
        ]
        for t in targets {
            let run = try ThiefRun(["-d", "1s", "--format", "json"] + t.args, user: "nobody", executable: copy.path)
            let code = run.wait()
            #expect(code == 0, "\(t.what) as nobody with capabilities: exit \(code), stderr: \(run.stderr)")
            guard let report = try? run.report() else {
                Issue.record("\(t.what): not a JSON report: \(run.stdout.prefix(300)) stderr: \(run.stderr)")
                continue
            }
            let target = try #require(report["target"] as? [String: Any], "\(t.what): \(run.stdout.prefix(200))")
            #expect(t.check(target), "\(t.what): target \(target.filter { !($0.value is [Any]) })")
        }
    }

    @Test("without the capabilities: exit 2 and a message naming the missing one")
    func missingCapability() throws {
        try Live.require()
        let cases: [(caps: String?, message: String, notMessage: String?)] = [
            (nil, "missing CAP_BPF and CAP_PERFMON", nil),
            ("cap_bpf+ep", "missing CAP_PERFMON", "CAP_BPF and"),
            ("cap_perfmon+ep", "missing CAP_BPF", "and CAP_PERFMON:"),
            ("cap_bpf,cap_perfmon+p", "permitted but not effective", nil),
        ]
        for c in cases {
            let copy = try ThiefCopy(capabilities: c.caps)
            for args in [["-p", "1"], ["--", "/bin/true"]] {
                let run = try ThiefRun(args + ["-d", "1s"], user: "nobody", executable: copy.path)
                let code = run.wait()
                let what = "\(c.caps ?? "no capabilities") \(args)"
                #expect(code == 2, "\(what): exit \(code), stderr: \(run.stderr)")
                #expect(run.stderr.contains(c.message), "\(what): \(run.stderr)")
                #expect(run.stderr.contains("setcap cap_bpf,cap_perfmon+ep \(copy.path)"), "\(what): \(run.stderr)")
                if let not = c.notMessage { #expect(!run.stderr.contains(not), "\(what): \(run.stderr)") }
                #expect(run.stderr.split(separator: "\n").count == 1, "\(what): \(run.stderr)")
                #expect(run.stdout.isEmpty)
            }
        }
    }

    @Test("as nobody with capabilities: --self-cost, --user and --as-root say what they need")
    func capabilitiesLimits() throws {
        try Live.require()
        let copy = try ThiefCopy(capabilities: "cap_bpf,cap_perfmon+ep")
        let statsOn = ProcFS.read("/proc/sys/kernel/bpf_stats_enabled")?.hasPrefix("1") == true
        let selfCost = try ThiefRun(
            ["--self-cost", "-d", "1s", "--", "/bin/true"], user: "nobody", executable: copy.path)
        if statsOn {
            #expect(selfCost.wait() == 0, "\(selfCost.stderr)")
        } else {
            #expect(selfCost.wait() == 2)
            #expect(selfCost.stderr.contains("--self-cost needs CAP_SYS_ADMIN"), "\(selfCost.stderr)")
        }
        let cases: [(args: [String], message: String)] = [
            (["--user", "root"], "only root can run the command as another user"),
            (["--as-root"], "--as-root: thief is not root"),
        ]
        for c in cases {
            let run = try ThiefRun(c.args + ["-d", "1s", "--", "/bin/true"], user: "nobody", executable: copy.path)
            #expect(run.wait() == 2, "\(c.args): \(run.stderr)")
            #expect(run.stderr.contains(c.message), "\(c.args): \(run.stderr)")
        }
    }

    /// Runs `thief -d 2s [extra] -- /bin/sh -c 'id -u; id -g; id -G; …'` as root
    /// and returns the command's lines (printed before the JSON report).
    private func idLines(_ extra: [String], environment: [String: String]) throws -> (
        code: Int32, lines: [String], err: String
    ) {
        let script = "id -u; id -g; id -G; echo \"$HOME|$USER|$LOGNAME|${THIEF_TEST_KEPT:-}\""
        let run = try ThiefRun(
            ["-q", "-d", "5s", "--format", "json"] + extra + ["--", "/bin/sh", "-c", script],
            environment: environment)
        let code = run.wait()
        let lines = run.stdout.split(separator: "\n").prefix(4).map(String.init)
        return (code, lines, run.stderr)
    }

    @Test("sudo thief -- CMD runs CMD as the invoking user; --as-root keeps root; --user picks another")
    func runAsInvoker() throws {
        try Live.require()
        let (uid, gid) = Self.nobody
        let home = String(cString: try #require(getpwnam("nobody")).pointee.pw_dir)
        // As sudo passes it: SUDO_UID/SUDO_GID, and USER/LOGNAME/HOME naming root.
        let sudo = [
            "SUDO_UID": "\(uid)", "SUDO_GID": "\(gid)", "SUDO_USER": "nobody", "USER": "root", "LOGNAME": "root",
            "HOME": "/root", "THIEF_TEST_KEPT": "kept",
        ]
        for (extra, env) in [([String](), sudo), (["--user", "nobody"], ["THIEF_TEST_KEPT": "kept"])] {
            let r = try idLines(extra, environment: env)
            #expect(r.code == 0, "\(extra): \(r.err)")
            #expect(r.lines.count == 4, "\(extra): \(r.lines) \(r.err)")
            guard r.lines.count == 4 else { continue }
            #expect(r.lines[0] == "\(uid)", "\(extra)")
            #expect(r.lines[1] == "\(gid)", "\(extra)")
            let groups = r.lines[2].split(separator: " ")
            #expect(groups.contains("\(gid)") && !groups.contains("0"), "\(extra): groups \(r.lines[2])")
            #expect(r.lines[3] == "\(home)|nobody|nobody|kept", "\(extra): environment \(r.lines[3])")
        }
        let root = try idLines(["--as-root"], environment: sudo)
        #expect(root.code == 0, "\(root.err)")
        #expect(Array(root.lines.prefix(2)) == ["0", "0"], "--as-root: \(root.lines)")
        #expect(root.lines.count == 4 && root.lines[2].split(separator: " ").contains("0"), "\(root.lines)")
    }

    @Test("an invalid SUDO_UID or SUDO_GID, or an unknown --user: exit 2 and a clear error")
    func runAsInvalid() throws {
        try Live.require()
        var unknown: uid_t = 4_000_000
        while getpwuid(unknown) != nil { unknown -= 1 }
        let cases: [(extra: [String], env: [String: String], message: String)] = [
            ([], ["SUDO_UID": "alice"], "SUDO_UID='alice' is not a numeric user id"),
            ([], ["SUDO_UID": "+65534"], "is not a numeric user id"),
            ([], ["SUDO_UID": ""], "is not a numeric user id"),
            ([], ["SUDO_UID": "\(unknown)"], "SUDO_UID=\(unknown) is no user of this system"),
            ([], ["SUDO_UID": "\(Self.nobody.uid)", "SUDO_GID": "nogroup"], "SUDO_GID='nogroup' is not a numeric"),
            (["--user", "no-such-user-thief"], [:], "--user no-such-user-thief: no such user"),
        ]
        for c in cases {
            let run = try ThiefRun(c.extra + ["-d", "2s", "--", "/bin/true"], environment: c.env)
            let code = run.wait()
            #expect(code == 2, "\(c.env) \(c.extra): exit \(code), stderr: \(run.stderr)")
            #expect(run.stderr.contains(c.message), "\(c.env) \(c.extra): \(run.stderr)")
            #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
            #expect(run.stdout.isEmpty)
        }
        // --user and --as-root only go with a command: a usage error.
        let usage = try ThiefRun(["--user", "nobody", "-p", "1", "-d", "1s"])
        #expect(usage.wait() == 64)
        #expect(usage.stderr.contains("--user goes with a command"), "\(usage.stderr)")
    }
}
