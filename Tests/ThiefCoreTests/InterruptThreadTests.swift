import CThiefABI
import Foundation
import Testing
import ThiefReport

@testable import ThiefCore

/// PREEMPT_RT runs hard-IRQ handlers as `irq/NN-name` threads, timers in
/// `ktimers/N`, softirqs in `ksoftirqd/N`: the report shows them as interrupt
/// work (JSON `kind`, `irq`, `irq_name`; a text marker), and the advice knows RT.
@Suite("Interrupt threads (PREEMPT_RT)")
struct InterruptThreadTests {
    typealias G = GoldenScenario

    /// A window where each (pid, comm) kernel thread stole 1 ms from the victim.
    static func report(_ thieves: [(UInt32, String)], rt: Bool) -> Report {
        let w = Window(windowStart: G.start)
        w.topology = G.topology
        w.addThread(tid: G.victim, tgid: G.victim, comm: "victim")
        var records = [Record(kind: .slice, ts: G.at(1), start: 0, dur: 0, cpu: 0, tid: G.victim, tgid: G.victim)]
        for (i, (pid, comm)) in thieves.enumerated() {
            let t = Double(10 + 10 * i)
            records.append(
                Record(
                    kind: .steal, ts: G.at(t + 2), start: G.at(t), dur: 2 * ms, cpu: 0, aux: THIEF_F_KTHREAD,
                    tid: G.victim, tgid: G.victim, otherPid: pid, otherTgid: pid, comm: comm))
        }
        w.fold(records)
        w.close(at: G.end, open: [(G.victim, tstate(tgid: G.victim, running: true, onTs: G.at(1), onCpu: 0))])
        var m = G.meta
        m.preemptRT = rt ? true : nil
        m.cpusOnline = 2
        return w.report(m)
    }

    static let rtThieves: [(UInt32, String)] = [
        (120, "irq/24-ahci"), (121, "irq/9-s-acpi"), (15, "ktimers/0"), (16, "ksoftirqd/0"), (55, "kworker/0:1"),
    ]

    @Test(
        "names: irq/NN-name, irq/NN-s-name (secondary), ktimers/N, ksoftirqd/N; nothing else, and never a user task",
        arguments: [
            ("irq/24-ahci", true, "irq-thread", 24, "ahci"), ("irq/9-s-acpi", true, "irq-thread", 9, "acpi"),
            ("irq/130-nvme0q1", true, "irq-thread", 130, "nvme0q1"), ("irq/7", true, "irq-thread", 7, nil),
            ("ktimers/3", true, "timer-thread", nil, nil), ("ksoftirqd/1", true, "softirq-thread", nil, nil),
            ("irq/24-ahci", false, nil, nil, nil), ("irq/x-y", true, nil, nil, nil),
            ("irqbalance", true, nil, nil, nil),
            ("kworker/0:1", true, nil, nil, nil),
        ] as [(String, Bool, String?, UInt32?, String?)])
    func classify(comm: String, kthread: Bool, kind: String?, irq: UInt32?, name: String?) {
        let c = InterruptThread.classify(comm: comm, kthread: kthread)
        #expect(c?.kind.rawValue == kind)
        #expect(c?.irq == irq)
        #expect(c?.name == name)
    }

    @Test("JSON: kind, irq and irq_name on interrupt threads only; text marks them")
    func render() throws {
        let r = Self.report(Self.rtThieves, rt: true)
        let json = try #require(
            JSONSerialization.jsonObject(with: Data(try JSONRenderer.render(r).utf8)) as? [String: Any])
        let thieves = try #require(json["thieves"] as? [[String: Any]])
        func entry(_ comm: String) -> [String: Any]? { thieves.first { $0["comm"] as? String == comm } }
        #expect(entry("irq/24-ahci")?["kind"] as? String == "irq-thread")
        #expect(entry("irq/24-ahci")?["irq"] as? Int == 24)
        #expect(entry("irq/24-ahci")?["irq_name"] as? String == "ahci")
        #expect(entry("ktimers/0")?["kind"] as? String == "timer-thread")
        #expect(entry("ksoftirqd/0")?["kind"] as? String == "softirq-thread")
        #expect(entry("kworker/0:1")?["kind"] == nil)
        #expect((json["tracer"] as? [String: Any])?["preempt_rt"] as? Bool == true)
        let text = TextRenderer.render(r)
        let line = try #require(text.split(separator: "\n").first { $0.contains("[irq/24-ahci]") })
        #expect(line.hasSuffix("interrupt: IRQ 24 ahci"))
        #expect(text.contains("interrupt: timers") && text.contains("interrupt: softirqs"))
        #expect(text.contains("interrupt: = interrupt work run as a thread"))
        let plain = TextRenderer.render(Self.report([(55, "kworker/0:1")], rt: false))
        #expect(!plain.contains("interrupt:"))
    }

    @Test("advice on RT: an IRQ thread gets its smp_affinity, chrt in the caveat; ktimers, ksoftirqd; no nohz")
    func advice() throws {
        var r = Self.report(Self.rtThieves, rt: true)
        let all = Advisor.advise(r, all: true)
        let irq = try #require(all.first { $0.finding.contains("[irq/24-ahci]") })
        #expect(irq.finding.contains("IRQ 24 (ahci)"))
        #expect(irq.commands.contains("echo 1 > /proc/irq/24/smp_affinity_list"))
        // Commands are only what runs as printed: the priority is the caveat's to explain.
        #expect(irq.commands == ["echo 1 > /proc/irq/24/smp_affinity_list"])
        #expect(irq.caveats.contains("chrt -f -p PRIO TARGET_PID"))
        #expect(irq.verify.hasPrefix("thief[comm=irq/24-ahci].stolen > "))
        #expect(all.first { $0.finding.contains("[ktimers/0]") }?.caveats.contains("SCHED_FIFO") == true)
        #expect(all.first { $0.finding.contains("[ksoftirqd/0]") }?.finding.contains("PREEMPT_RT") == true)
        // The tick: nohz advice elsewhere, none on RT.
        r.systemVectors = [
            .init(
                irq: nil, vector: "local_timer", name: "local_timer", count: 3, totalNs: 3_000_000, minNs: 1, avgNs: 1,
                maxNs: 1)
        ]
        #expect(!Advisor.advise(r, all: true).contains { $0.rule == TimerRule.id })
        r.tracer.preemptRT = nil
        #expect(Advisor.advise(r, all: true).contains { $0.rule == TimerRule.id })
        #expect(
            !Advisor.advise(r, all: true).contains {
                $0.finding.contains("[ksoftirqd/0]") && $0.finding.contains("PREEMPT_RT")
            })
    }
}
