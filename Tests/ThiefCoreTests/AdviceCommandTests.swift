import Foundation
import Testing
import ThiefReport

@testable import ThiefCore

/// Every command advice prints, checked against what it targets: renice,
/// chrt and taskset run it on a process the test owns (a `sleep`), sysfs
/// masks are hex as the kernel parses them, CPU lists parse, cgroup quota
/// values are what the files take; boot parameters are no command.
@Suite("Advice: every command parses")
struct AdviceCommandTests {
    /// Every rule with a command fires, naming `pid` (target, thieves, waker)
    /// and this machine's CPUs, from the golden report.
    static func report(pid: Int32, online: Int) throws -> Report {
        var r = try AdviceTests.base()
        r.window.cpusSeen = [0]
        r.window.cpusOnline = online
        r.target.pid = pid
        r.target.threads[0].tid = UInt32(pid)
        r.cpus = r.cpus?.filter { $0.cpu < online }
        r.thieves[0].pid = UInt32(pid)
        r.thieves.append(r.thieves[0])
        r.thieves[2].policy = "fifo"
        r.thieves.append(r.thieves[0])
        r.thieves[3].nice = 10
        r.wakers?[2].pid = UInt32(pid)
        r.wakers?[2].tgid = 1
        r.wakers?[2].count = 20
        r.wakers?[2].otherLLC = 20
        r.systemVectors[0].totalNs = 30_000_000
        r.thieves[1].comm = "kworker/0:1"
        r.runnableWait.byCause = .init(
            WaitCauses(tasks: 1_700_000, targets: 3_000_000, throttled: 10_000_000, idle: 0, steal: 0, other: 0))
        r.target.cpuQuota = CPUQuota(
            cgroup: "/box", file: "/sys/fs/cgroup/box/cpu.max", quotaUs: 20_000, periodUs: 100_000, version: 2)
        return r
    }

    @Test("renice/chrt/taskset run; masks, lists and quotas parse; every rule with commands is covered")
    func everyCommand() throws {
        let sleeper = Process()
        sleeper.executableURL = URL(fileURLWithPath: "/bin/sleep")
        sleeper.arguments = ["30"]
        try sleeper.run()
        defer {
            sleeper.terminate()
            sleeper.waitUntilExit()
        }
        let pid = sleeper.processIdentifier
        let online = max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        var r = try Self.report(pid: pid, online: online)
        var advice = Advisor.advise(r, all: true)
        r.target.cpuQuota?.version = 1
        r.target.cpuQuota?.file = "/sys/fs/cgroup/cpu/box/cpu.cfs_quota_us"
        advice += Advisor.advise(r, all: true).filter { $0.rule == QuotaRule.id }
        var covered = Set<String>()
        for a in advice {
            for c in a.commands {
                try Self.check(c, online: online)
                covered.insert(a.rule)
            }
            #expect(a.bootParameters.map { !$0.contains("$") && !$0.contains(">") } ?? true)
        }
        var expected: Set = [
            UserThiefRule.id, KernelThreadRule.id, QuotaRule.id, HardIRQRule.id, PartnerRule.id,
        ]
        if online > 1 { expected.formUnion([ContentionRule.id, TimerRule.id]) }
        #expect(covered == expected)
    }

    /// One command line, by what it runs or writes.
    static func check(_ command: String, online: Int) throws {
        let words = command.split(separator: " ").map(String.init)
        switch words.first {
        case "taskset", "renice", "chrt":
            let (status, stderr) = try run("/usr/bin/" + words[0], Array(words.dropFirst()))
            // Unprivileged, chrt may be refused SCHED_FIFO: refused, not misread.
            #expect(
                status == 0 || (getuid() != 0 && stderr.contains("Operation not permitted")),
                "'\(command)': exit \(status), \(stderr)")
        case "echo":
            guard words.count == 4 || words.count == 5, words[words.count - 2] == ">" else {
                Issue.record("'\(command)' is not 'echo VALUE > FILE'")
                return
            }
            let value = words[1..<(words.count - 2)].joined(separator: " ")
            try checkWrite(value, to: words[words.count - 1], online: online, command)
        default:
            Issue.record("'\(command)': no check for this command")
        }
    }

    /// A value written to a kernel file, in that file's format.
    static func checkWrite(_ value: String, to file: String, online: Int, _ command: String) throws {
        if file == "/sys/devices/virtual/workqueue/cpumask" {
            let cpus = try #require(CPUMask.parse(value), "'\(command)': not a hex mask")
            // The CPUs the target did not use (it ran on CPU 0).
            #expect(cpus == Array(1..<online), "'\(command)'")
        } else if file.hasPrefix("/proc/irq/"), file.hasSuffix("/smp_affinity_list") {
            let cpus = try #require(CPUList.parse(value), "'\(command)': not a CPU list")
            #expect(cpus == Array(1..<online), "'\(command)'")
        } else if file.hasSuffix("/cpu.max") {
            // 'QUOTA PERIOD' (quoted for the shell), as cpu.max takes it.
            let f = value.trimmingCharacters(in: CharacterSet(charactersIn: "'")).split(separator: " ")
            let (q, p) = (f.count == 2 ? Int(f[0]) : nil, f.count == 2 ? Int(f[1]) : nil)
            #expect(q.map { $0 >= 1000 } == true && p.map { (1000...1_000_000).contains($0) } == true, "'\(command)'")
        } else if file.hasSuffix("/cpu.cfs_quota_us") {
            #expect(Int(value).map { $0 >= 1000 } == true, "'\(command)'")
        } else {
            Issue.record("'\(command)': no check for writes to \(file)")
        }
    }

    static func run(_ tool: String, _ args: [String]) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return (p.terminationStatus, text)
    }

    @Test("hex masks as the kernel writes and reads them; this machine's workqueue cpumask reads back")
    func masks() throws {
        #expect(CPUMask.format([1]) == "2" && CPUMask.format([0, 1]) == "3" && CPUMask.format([]) == "0")
        #expect(CPUMask.format([32]) == "1,00000000" && CPUMask.format([0, 35, 64]) == "1,00000008,00000001")
        for cpus in [[1], [0, 1, 2, 3, 8], [31, 32, 63, 64, 100], Array(0..<70)] {
            #expect(CPUMask.parse(CPUMask.format(cpus)) == cpus)
        }
        for bad in ["", "0-1", "1 2", "g", "123456789", ",1", "0x3"] { #expect(CPUMask.parse(bad) == nil, "\(bad)") }
        #expect(
            CPUList.parse("0-3,8\n") == [0, 1, 2, 3, 8] && CPUList.parse("3-1") == nil && CPUList.parse("a") == nil)
        // The kernel's own form of the file the kworker advice writes.
        if let text = ProcFS.read("/sys/devices/virtual/workqueue/cpumask") {
            let cpus = try #require(CPUMask.parse(text), "the kernel's \(text.debugDescription)")
            #expect(CPUMask.parse(CPUMask.format(cpus)) == cpus)
        }
    }

    @Test("boot parameters print as kernel command-line parameters with where they go, never after a prompt")
    func bootParametersRendered() throws {
        var r = try AdviceTests.base()
        r.irqs = []
        r.systemVectors[0].totalNs = 3_000_000
        r.advice = Advisor.advise(r)
        let text = TextRenderer.renderAdvice(r)
        #expect(text.contains("kernel command line: nohz_full=1 isolcpus=managed_irq,domain,1 rcu_nocbs=1\n"))
        #expect(text.contains("GRUB_CMDLINE_LINUX in /etc/default/grub, run update-grub"))
        #expect(!text.contains("$ boot") && !text.contains("$ nohz"))
        let json = try JSONRenderer.render(r)
        #expect(json.contains("\"boot_parameters\" : \"nohz_full=1 isolcpus=managed_irq,domain,1 rcu_nocbs=1\""))
        #expect(HTMLRenderer.render(r).contains("Kernel command line: <code>nohz_full=1"))
    }
}
