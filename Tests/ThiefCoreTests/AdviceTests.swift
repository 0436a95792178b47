import Foundation
import Testing
import ThiefGate

@testable import ThiefCore

/// Each advice rule from fixture reports: findings in, advice out, and the
/// threshold's boundaries.
@Suite("Advice: what to change")
struct AdviceTests {
    /// The golden scenario's report: a 100 ms window on CPUs 0-3 of 4, 11.7 ms
    /// of runnable wait, `stress` (pid 2000) stole 7 ms, `[kworker/1:2]` 1.5 ms.
    static func base() throws -> Report {
        let dir = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        let data = try Data(contentsOf: dir.appendingPathComponent("report.golden.json"))
        var r = try JSONDecoder().decode(Report.self, from: data)
        r.window.cpusSeen = [0]
        r.window.cpusOnline = 2
        return r
    }

    @Test("a user task that steals: lower it, move it, or raise the target; the verify rule names its pid")
    func userThief() throws {
        let a = try #require(Advisor.advise(try Self.base()).first { $0.rule == UserThiefRule.id })
        #expect(a.savingNs == 7_000_000 && a.finding.contains("stress[2000]"))
        #expect(a.commands.contains("renice -n 10 -p 2000") && a.commands.contains("taskset -pc 1 2000"))
        #expect(a.verify.hasPrefix("thief[pid=2000].stolen > "))
        #expect(abs(a.share - 7.0 / 11.7) < 1e-9)
    }

    @Test("thief's own consumer and the (others) fold are never advised on")
    func notSelf() throws {
        var r = try Self.base()
        r.tracer.pid = 2000
        #expect(!Advisor.advise(r, all: true).contains { $0.finding.contains("[2000]") })
        r.thieves[0].comm = Thieves.othersName
        r.thieves[0].pid = 0
        #expect(!Advisor.advise(r, all: true).contains { $0.rule == UserThiefRule.id })
    }

    @Test("a kworker gets the workqueue cpumask; migration/N gets 'nothing to change'")
    func kernelThreads() throws {
        var r = try Self.base()
        let kw = try #require(Advisor.advise(r, all: true).first { $0.rule == KernelThreadRule.id })
        // The file takes a hex mask of the CPUs to use: CPU 1 is "2" ("1" would be CPU 0, the target's).
        #expect(kw.commands == ["echo 2 > /sys/devices/virtual/workqueue/cpumask"])
        #expect(kw.verify == "thief[comm=kworker/*].stolen > 750us")
        r.thieves[1].comm = "migration/0"
        let mig = try #require(Advisor.advise(r, all: true).first { $0.rule == KernelThreadRule.id })
        #expect(mig.commands.isEmpty && mig.caveats.hasPrefix("Nothing to change"))
    }

    /// Measured on redis under redis-benchmark: three kworkers stole 4.5, 3.0
    /// and 2.7 ms, and each item's verify was half of its own thread's time
    /// (2248us, 1500us, …) against a rule that sums every kworker: the second
    /// and third failed even with their own worker gone.
    @Test("several kworkers: each item's verify is half of what its rule reads, judged by the gate")
    func kernelThreadsOfOneKind() throws {
        var r = try Self.base()
        for (pid, comm, ns) in [(56 as UInt32, "kworker/u8:3", 1_000_000 as UInt64), (57, "kworker/0:1H", 500_000)] {
            var t = r.thieves[1]
            (t.pid, t.tgid, t.comm, t.stolenNs) = (pid, pid, comm, ns)
            r.thieves.append(t)
        }
        let items = Advisor.advise(r, all: true).filter { $0.rule == KernelThreadRule.id }
        #expect(items.count == 3)
        func fails(_ verify: String, _ report: Report) throws -> Bool {
            try Gate(rules: [try RuleParser.rule(verify)], allowLost: true).judge([report]).failed
        }
        var halved = r
        for i in halved.thieves.indices where halved.thieves[i].comm.hasPrefix("kworker/") {
            halved.thieves[i].stolenNs /= 2
        }
        for a in items {
            #expect(a.verify == "thief[comm=kworker/*].stolen > 1500us")
            #expect(try fails(a.verify, r), "\(a.verify) must fail before the change")
            #expect(try !fails(a.verify, halved), "\(a.verify) must pass once the kworkers steal half")
        }
    }

    @Test("the threshold: 1% of the wait and 1 ms per second of window, just under and just over")
    func threshold() throws {
        var r = try Self.base()
        // 1% of 11.7 ms is 117 us; 1 ms/s of a 100 ms window is 100 us: the larger decides.
        r.thieves[0].stolenNs = 116_999
        #expect(!Advisor.advise(r).contains { $0.rule == UserThiefRule.id })
        r.thieves[0].stolenNs = 117_000
        #expect(Advisor.advise(r).contains { $0.rule == UserThiefRule.id })
        #expect(Advisor.advise(r, all: true).count >= Advisor.advise(r).count)
    }

    @Test("an idle target: microseconds of waiting, nothing advised")
    func idle() throws {
        var r = try Self.base()
        r.runnableWait.totalNs = 30_000
        r.runnableWait.byCause = .init(WaitCauses(tasks: 30_000, targets: 0, throttled: 0, idle: 0, steal: 0, other: 0))
        r.thieves = r.thieves.map {
            var t = $0
            t.stolenNs = 20_000
            return t
        }
        r.irqs = []
        r.systemVectors = []
        r.softirqs = []
        r.wakers = []
        #expect(Advisor.advise(r).isEmpty)
    }

    @Test("throttled by a quota: the advice names the cgroup's file and a quota that covers the demand")
    func quota() throws {
        var r = try Self.base()
        r.runnableWait.byCause = .init(
            WaitCauses(tasks: 1_700_000, targets: 0, throttled: 10_000_000, idle: 0, steal: 0, other: 0))
        r.target.cpuQuota = CPUQuota(
            cgroup: "/box", file: "/sys/fs/cgroup/box/cpu.max", quotaUs: 20_000, periodUs: 100_000, version: 2)
        let a = try #require(Advisor.advise(r).first { $0.rule == QuotaRule.id })
        // (90.99 ms on-core + 10 ms throttled) of a 100 ms window: 101% of a period, rounded up.
        #expect(a.commands == ["echo '100990 100000' > /sys/fs/cgroup/box/cpu.max"])
        #expect(a.finding.contains("/box") && a.verify == "runnable_wait.throttled > 1000us")
        r.target.cpuQuota?.version = 1
        r.target.cpuQuota?.file = "/sys/fs/cgroup/cpu/box/cpu.cfs_quota_us"
        let v1 = try #require(Advisor.advise(r).first { $0.rule == QuotaRule.id })
        #expect(v1.commands == ["echo 100990 > /sys/fs/cgroup/cpu/box/cpu.cfs_quota_us"])
    }

    @Test("a device IRQ on the target's CPU: move it; the local timer: isolate the CPU")
    func interrupts() throws {
        var r = try Self.base()
        r.irqs[0].totalNs = 2_000_000
        let irq = try #require(Advisor.advise(r).first { $0.rule == HardIRQRule.id })
        #expect(irq.commands == ["echo 1 > /proc/irq/42/smp_affinity_list"] && irq.finding.contains("nvme0q1"))
        r.irqs = []
        r.systemVectors[0].totalNs = 3_000_000
        let tick = try #require(Advisor.advise(r).first { $0.rule == TimerRule.id })
        // It ran only on CPU 0, the boot CPU: move it to CPU 1 and isolate that.
        #expect(tick.bootParameters == "nohz_full=1 isolcpus=managed_irq,domain,1 rcu_nocbs=1")
        #expect(tick.commands == ["taskset -apc 1 1000"])
    }

    @Test("the tick and RCU rules never name the boot CPU; boot parameters are no command")
    func bootCPU() throws {
        var r = try Self.base()
        r.irqs = []
        r.systemVectors[0].totalNs = 3_000_000
        r.thieves[1].comm = "rcuc/0"
        for (seen, online, isolated) in [([0, 1, 2], 4, [1, 2]), ([0], 4, [1, 2, 3]), ([3], 4, [3]), ([0], 1, [])] {
            r.window.cpusSeen = seen
            r.window.cpusOnline = online
            let advice = Advisor.advise(r, all: true)
            let tick = try #require(advice.first { $0.rule == TimerRule.id })
            let rcu = try #require(advice.first { $0.rule == KernelThreadRule.id })
            for a in [tick, rcu] {
                #expect(!a.commands.contains { $0.contains("nohz_full") || $0.contains("rcu_nocbs") })
                for param in (a.bootParameters ?? "").split(separator: " ") {
                    let kv = param.split(separator: "=", maxSplits: 1)
                    guard kv.count == 2 else { continue }
                    // isolcpus: flags first, then the list.
                    let list =
                        kv[0] == "isolcpus"
                        ? kv[1].split(separator: ",").filter { $0.first!.isNumber }
                            .joined(separator: ",") : String(kv[1])
                    let cpus = try #require(CPUList.parse(list), "\(param) holds no CPU list")
                    // RCU offloads only the target's own CPUs; the tick rule moves it off CPU 0 first.
                    let want = a.rule == TimerRule.id ? isolated : seen.filter { $0 != 0 }
                    #expect(cpus == want && !cpus.contains(AdviceContext.bootCPU), "\(seen) of \(online): \(param)")
                }
            }
            #expect((tick.bootParameters == nil) == isolated.isEmpty)
            #expect((rcu.bootParameters == nil) == seen.filter { $0 != 0 }.isEmpty)
            #expect(tick.caveats.contains("boot CPU"))
        }
    }

    @Test("hypervisor steal and contention among targets")
    func stealAndContention() throws {
        var r = try Self.base()
        r.runnableWait.byCause = .init(
            WaitCauses(tasks: 5_000_000, targets: 3_000_000, throttled: 0, idle: 0, steal: 3_700_000, other: 0))
        let rules = Set(Advisor.advise(r).map(\.rule))
        #expect(rules.contains(HypervisorStealRule.id) && rules.contains(ContentionRule.id))
    }

    @Test("CPU lists in the kernel's form")
    func lists() {
        #expect(cpuList([0, 1, 2, 3, 8]) == "0-3,8")
        #expect(cpuList([5, 1, 3]) == "1,3,5")
        #expect(cpuList([]) == "")
    }

    @Test("a cgroup's quota from /proc/PID/cgroup and mountinfo, v1 and v2, nearest limiting ancestor")
    func quotaReader() {
        let mountinfo = """
            30 1 0:26 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw
            31 1 0:27 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu
            """
        let files: [String: String] = [
            "/proc/self/mountinfo": mountinfo,
            "/proc/7/cgroup": "4:cpu:/a/b\n0::/svc\n",
            "/sys/fs/cgroup/cpu/a/b/cpu.cfs_quota_us": "-1\n",
            "/sys/fs/cgroup/cpu/a/cpu.cfs_quota_us": "50000\n",
            "/sys/fs/cgroup/cpu/a/cpu.cfs_period_us": "100000\n",
            "/proc/8/cgroup": "0::/svc/x\n",
            "/sys/fs/cgroup/unified/svc/x/cpu.max": "max 100000\n",
            "/sys/fs/cgroup/unified/svc/cpu.max": "30000 100000\n",
            "/proc/9/cgroup": "4:cpu:/../../etc\n",
        ]
        let read: (String) -> String? = { files[$0] }
        #expect(
            CPUQuota.of(pid: 7, read: read)
                == CPUQuota(
                    cgroup: "/a", file: "/sys/fs/cgroup/cpu/a/cpu.cfs_quota_us", quotaUs: 50_000, periodUs: 100_000,
                    version: 1))
        #expect(CPUQuota.of(pid: 8, read: read)?.file == "/sys/fs/cgroup/unified/svc/cpu.max")
        #expect(CPUQuota.of(pid: 9, read: read) == nil)
        #expect(CPUQuota.of(pid: 10, read: read) == nil)
    }
}

@Suite("Advice: identities")
struct AdviceIdentityTests {
    @Test(
        "a real-time thief goes back to normal first; one at nice 10 goes to SCHED_IDLE; a kworker names its functions")
    func policies() throws {
        var r = try AdviceTests.base()
        r.thieves[0].policy = "fifo"
        r.thieves[0].rtPriority = 1
        var a = try #require(Advisor.advise(r).first { $0.rule == UserThiefRule.id })
        #expect(a.commands.first == "chrt -o -p 0 2000" && a.finding.contains("(fifo/1)"))
        r.thieves[0].policy = "normal"
        r.thieves[0].nice = 12
        a = try #require(Advisor.advise(r).first { $0.rule == UserThiefRule.id })
        #expect(a.commands.first == "chrt -i -p 0 2000")
        r.thieves[1].work = [Report.Work(function: "vmstat_update", count: 1, totalNs: 1_000_000)]
        let k = try #require(Advisor.advise(r, all: true).first { $0.rule == KernelThreadRule.id })
        #expect(k.finding.contains("vmstat_update 1.0ms"))
    }
}

@Suite("Advice: partners")
struct AdvicePartnerTests {
    @Test("a waker on another LLC: pin both to the target's LLC; a near one gets nothing")
    func remotePartner() throws {
        var r = try AdviceTests.base()
        r.cpus = [
            .init(
                cpu: 0, core: 0, llc: 0, node: 0, onCoreNs: 90_000_000, runnableWaitNs: 0, stolenNs: 0,
                contentionNs: 0, irqNs: 0, softirqNs: 0, sysvecNs: 0),
            .init(
                cpu: 1, core: 1, llc: 0, node: 0, onCoreNs: 1, runnableWaitNs: 0, stolenNs: 0, contentionNs: 0,
                irqNs: 0, softirqNs: 0, sysvecNs: 0),
        ]
        let json = """
            {"pid":77,"tgid":77,"comm":"vhost-77","kthread":false,"context":"task","count":20,"total_ns":10000000,
             "p50_ns":400000,"p99_ns":900000,"max_ns":900000,"same_cpu":0,"same_core":0,"same_llc":4,
             "other_llc":16,"other_node":0}
            """
        let far = try JSONDecoder().decode(Report.WakerReport.self, from: Data(json.utf8))
        r.wakers = [far]
        let a = try #require(Advisor.advise(r).first { $0.rule == PartnerRule.id })
        #expect(a.savingNs == 8_000_000 && a.commands == ["taskset -pc 0-1 77", "taskset -apc 0-1 1000"])
        #expect(a.verify == "waker[pid=77].p99 > 450us")
        var near = far
        near.otherLLC = 4
        near.sameLLC = 16
        r.wakers = [near]
        #expect(!Advisor.advise(r, all: true).contains { $0.rule == PartnerRule.id })
    }
}
