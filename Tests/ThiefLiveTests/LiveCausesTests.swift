import Foundation
import Testing
import ThiefCore

/// The causes of the runnable wait against the kernel's own books.
extension LiveTests {
    @Test("a target alone in a cgroup with a 20% CPU quota: its wait is throttled, as the cgroup's cpu.stat says")
    func throttledByQuota() throws {
        try Live.require()
        let cg = try QuotaCgroup(share: 0.2)
        let victim = try Child.workload(["spin", "--name", "quota-victim", "--seconds", "30"])
        defer { victim.end() }
        #expect(cg.add(victim.pid))
        sleepSeconds(0.3)
        victim.stop()
        let thief = try ThiefRun(["-p", "\(victim.pid)", "--format", "json"])
        try thief.waitAttached()
        let t0 = try #require(cg.throttledNs())
        victim.cont()
        sleepSeconds(3)
        victim.stop()
        sleepSeconds(0.05)
        let t1 = try #require(cg.throttledNs())
        thief.interrupt()
        #expect(thief.wait() == 0)
        let r = try thief.report()
        let throttled = r.num("runnable_wait.by_cause.throttled_ns"), kernel = t1 - t0
        agreement("quota", "throttled ns vs cgroup cpu.stat", thief: throttled, kernel: kernel)
        #expect(kernel > 1e9, "a 20% quota throttles a spinner most of 3 s")
        #expect(relErr(throttled, kernel) < 0.10)
        // Alone in its cgroup on an idle machine: nobody else took its CPU.
        let wait = r.num("runnable_wait.total_ns")
        #expect(r.num("runnable_wait.by_cause.tasks_ns") < 0.05 * wait)
        #expect(r.num("runnable_wait.by_cause.targets_ns") == 0)
    }

    @Test("a competitor on the victim's CPU: the wait is other tasks', not idle or throttled")
    func competitorIsTasks() throws {
        try Live.require()
        let contest = try Contest()
        let victim = contest.victim
        sleepSeconds(0.3)
        let thief = try ThiefRun(["-p", "\(victim.pid)", "--format", "json", "-d", "2s"])
        #expect(thief.wait() == 0)
        let r = try thief.report()
        let wait = r.num("runnable_wait.total_ns")
        let tasks = r.num("runnable_wait.by_cause.tasks_ns")
        agreement("causes", "competitor: tasks ns vs runnable wait", thief: tasks, kernel: wait)
        #expect(wait > 0.5e9 && tasks > 0.95 * wait)
        #expect(r.num("runnable_wait.by_cause.throttled_ns") == 0)
        #expect(r.num("runnable_wait.by_cause.idle_ns") < 0.01 * wait)
    }
}
