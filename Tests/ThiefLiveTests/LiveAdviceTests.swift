import Foundation
import Testing
import ThiefCore

/// Advice on real measurements: the commands name this machine's PIDs and
/// files, and running one makes its verify rule pass on the next run.
extension LiveTests {
    @Test("a competitor on the victim's CPU: advice names its PID; after the test runs its renice, verify passes")
    func adviceRenice() throws {
        try Live.require()
        let contest = try Contest()
        let (victim, competitor) = (contest.victim, contest.competitor)
        sleepSeconds(0.3)
        let first = try ThiefRun(["-p", "\(victim.pid)", "-d", "2s", "--format", "json"])
        #expect(first.wait() == 0)
        let advice = try first.report().list("advice")
        let mine = try #require(
            advice.first {
                ($0["rule"] as? String) == "user-thief"
                    && ($0["finding"] as? String)?.contains("[\(competitor.pid)]") == true
            },
            "advice: \(advice)")
        let commands = mine["commands"] as? [String] ?? []
        let renice = "renice -n 10 -p \(competitor.pid)"
        #expect(commands.contains(renice))
        let verify = try #require(mine["verify"] as? String)
        #expect(verify.hasPrefix("thief[pid=\(competitor.pid)].stolen > "))
        // The first run breaks its own verify rule: the check is not vacuous.
        let before = try ThiefRun(["-p", "\(victim.pid)", "-d", "2s", "--format", "json", "--fail-if", verify])
        #expect(before.wait() == 1, "\(before.stderr)")

        let run = try Child(["-c", renice], executable: "/bin/sh")
        run.process.waitUntilExit()
        #expect(run.process.terminationStatus == 0)
        let after = try ThiefRun(["-p", "\(victim.pid)", "-d", "2s", "--format", "json", "--fail-if", verify])
        #expect(after.wait() == 0, "\(after.stderr)")
        let s0 = try first.report().num("runnable_wait.by_cause.tasks_ns")
        let s1 = try after.report().num("runnable_wait.by_cause.tasks_ns")
        agreement("advice", "victim's wait for other tasks after renice vs before", thief: s1, kernel: s0)
    }

    @Test("a target throttled by its cgroup's quota: the advice names that cgroup's quota file")
    func adviceQuota() throws {
        try Live.require()
        let cg = try QuotaCgroup(share: 0.2)
        let victim = try Child.workload(["spin", "--name", "quota-victim", "--seconds", "30"])
        defer { victim.end() }
        #expect(cg.add(victim.pid))
        sleepSeconds(0.3)
        let thief = try ThiefRun(["-p", "\(victim.pid)", "-d", "2s", "--format", "json"])
        #expect(thief.wait() == 0)
        let r = try thief.report()
        let file = cg.directory + (cg.v2 ? "/cpu.max" : "/cpu.cfs_quota_us")
        #expect((r["target"] as? [String: Any])?["cpu_quota"] != nil)
        let quota = try #require(
            r.list("advice").first { ($0["rule"] as? String) == "cpu-quota" }, "\(r.list("advice"))")
        let commands = quota["commands"] as? [String] ?? []
        #expect(commands.count == 1 && commands[0].hasSuffix("> \(file)"), "\(commands)")
        #expect((quota["finding"] as? String)?.contains("20000 µs per 100000 µs") == true)
    }

    @Test("a command that enters its quota cgroup after the run starts (as cgexec does): the quota that throttled it")
    func adviceQuotaJoinedLater() throws {
        try Live.require()
        let cg = try QuotaCgroup(share: 0.2)
        // The shell moves itself into the cgroup, then becomes the spinner: at the start it had no quota.
        let script =
            "echo $$ > \(cg.directory)/cgroup.procs && exec \(Live.workloads) spin --name late-quota --seconds 1.5"
        let thief = try ThiefRun(["--format", "json", "-q", "--", "sh", "-c", script])
        #expect(thief.wait() == 0, "\(thief.stderr)")
        let r = try thief.report()
        let throttled = r.num("runnable_wait.by_cause.throttled_ns")
        let books = try #require(cg.throttledNs())
        #expect(throttled > 0.3e9, "throttled \(throttled) ns; the cgroup's books: \(books) ns")
        let q = try #require((r["target"] as? [String: Any])?["cpu_quota"] as? [String: Any], "no target.cpu_quota")
        let file = cg.directory + (cg.v2 ? "/cpu.max" : "/cpu.cfs_quota_us")
        #expect(q["file"] as? String == file && (q["quota_us"] as? NSNumber)?.intValue == 20_000)
        let quota = try #require(
            r.list("advice").first { ($0["rule"] as? String) == "cpu-quota" }, "\(r.list("advice"))")
        let commands = quota["commands"] as? [String] ?? []
        #expect(commands.count == 1 && commands[0].hasSuffix("> \(file)"), "\(commands)")
        let name = "/" + URL(fileURLWithPath: cg.directory).lastPathComponent
        #expect((quota["finding"] as? String)?.contains("the quota of \(name) (20000 µs per 100000 µs)") == true)
        // The kernel takes the command as written: the file then holds the new quota.
        guard let command = commands.first else { return }
        let run = try Child(["-c", command], executable: "/bin/sh")
        run.process.waitUntilExit()
        #expect(run.process.terminationStatus == 0, "'\(command)' refused")
        let now = ProcFS.read(file)?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        #expect(!now.hasPrefix("20000") && command.contains(now.split(separator: " ").first.map(String.init) ?? "?"))
    }
}
