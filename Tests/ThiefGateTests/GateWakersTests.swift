import Foundation
import Testing
import ThiefCore
import ThiefGate

/// `waker[…]`, `cpu[N]` and `runnable_wait.<cause>`: parsing and reading.
@Suite("Gate: wakers, CPUs and wait causes")
struct GateWakersTests {
    static let ms = 1e6

    static func waker(_ pid: UInt32, _ comm: String, count: UInt64, totalMs: UInt64, p99Ms: UInt64) throws
        -> Report.WakerReport
    {
        var w = try JSONDecoder().decode(
            Report.WakerReport.self,
            from: Data(
                """
                {"pid":\(pid),"tgid":\(pid),"comm":"\(comm)","kthread":false,"context":"task","count":\(count),
                 "total_ns":\(totalMs * 1_000_000),"p50_ns":1,"p99_ns":\(p99Ms * 1_000_000),
                 "max_ns":\(p99Ms * 2_000_000),"same_cpu":\(count),"same_core":0,"same_llc":0,"other_llc":0,
                 "other_node":0}
                """.utf8))
        w.context = pid == 0 ? "hardirq" : "task"
        return w
    }

    /// The fixture (1 s of thread time) with two wakers, two CPUs and a wait split by cause.
    static func report() throws -> Report {
        var r = try Fixture.report()
        r.wakers = [
            try waker(10, "nginx: worker", count: 30, totalMs: 6, p99Ms: 2),
            try waker(11, "nginx: master", count: 20, totalMs: 4, p99Ms: 3),
            try waker(0, "[hardirq]", count: 5, totalMs: 1, p99Ms: 1),
        ]
        r.cpus = [
            Report.CPUReport(
                cpu: 0, core: 0, llc: 0, node: 0, onCoreNs: 300_000_000, runnableWaitNs: 50_000_000,
                stolenNs: 40_000_000, contentionNs: 1_000_000, irqNs: 0, softirqNs: 0, sysvecNs: 0),
            Report.CPUReport(
                cpu: 1, core: nil, llc: nil, node: nil, onCoreNs: 200_000_000, runnableWaitNs: 10_000_000,
                stolenNs: 0, contentionNs: 0, irqNs: 0, softirqNs: 0, sysvecNs: 0),
        ]
        r.runnableWait.byCause = Report.ByCause(
            WaitCauses(
                tasks: 30_000_000, targets: 1_000_000, throttled: 20_000_000, idle: 5_000_000, steal: 4_000_000,
                other: 0))
        return r
    }

    static let parsed: [(String, Metric)] = [
        ("waker[comm=nginx*].count > 40", Metric(.waker(.comm("nginx*")), .count)),
        ("waker[comm=[hardirq]].p99 > 1ms", Metric(.waker(.comm("[hardirq]")), .p99)),
        ("waker[pid=10] > 5", Metric(.waker(.pid(10)))),
        ("waker[tgid=11].total > 1%", Metric(.waker(.tgid(11)), .total)),
        ("cpu[1].runnable_wait > 5ms", Metric(.cpu(1), .runnableWait)),
        ("cpu[0] > 100ms", Metric(.cpu(0))),
        ("cpu[0].stolen > 1ms", Metric(.cpu(0), .stolen)),
        ("cpu[0].contention > 1ms", Metric(.cpu(0), .contention)),
        ("runnable_wait.throttled > 1%", Metric(.runnableWaitCause(.throttled))),
        ("runnable_wait.tasks.total > 10ms", Metric(.runnableWaitCause(.tasks), .total)),
        ("runnable_wait.steal.pct > 1%", Metric(.runnableWaitCause(.steal), .pct)),
    ]

    @Test("paths parse", arguments: parsed)
    func parses(_ text: String, _ metric: Metric) throws {
        #expect(try RuleParser.rule(text).metric == metric)
    }

    static let observed: [(String, Double)] = [
        ("waker[comm=nginx*].count > 0", 50),
        ("waker[comm=nginx*] > 0", 50),
        ("waker[comm=nginx*].total > 0ns", 10 * ms),
        ("waker[comm=nginx*].p99 > 0ns", 3 * ms),
        ("waker[comm=nginx*].max > 0ns", 6 * ms),
        ("waker[comm=nginx*].total > 1%", 0.01),
        ("waker[comm=nginx*].pct > 1%", 0.01),
        ("waker[comm=[hardirq]].count > 0", 5),
        ("waker[pid=11].count > 0", 20),
        ("waker[comm=postgres].count > 0", 0),
        ("cpu[0].on_core > 0ns", 300 * ms),
        ("cpu[0] > 0ns", 300 * ms),
        ("cpu[0].runnable_wait > 0ns", 50 * ms),
        ("cpu[0].stolen > 0ns", 40 * ms),
        ("cpu[0].contention > 0ns", 1 * ms),
        ("cpu[1].runnable_wait > 1%", 0.01),
        ("cpu[7].on_core > 0ns", 0),
        ("runnable_wait.tasks > 0ns", 30 * ms),
        ("runnable_wait.targets > 0ns", 1 * ms),
        ("runnable_wait.throttled > 0ns", 20 * ms),
        ("runnable_wait.idle > 0ns", 5 * ms),
        ("runnable_wait.steal > 0ns", 4 * ms),
        ("runnable_wait.other > 0ns", 0),
        ("runnable_wait.throttled > 1%", 0.02),
        ("runnable_wait.throttled.pct > 1%", 0.02),
    ]

    @Test("paths read the report", arguments: observed)
    func reads(_ text: String, _ expected: Double) throws {
        let value = try RuleParser.rule(text).observed(in: try Self.report())
        #expect(abs(value - expected) <= expected * 1e-9, "\(text)")
    }

    @Test("a report without wakers, cpus or a wait split cannot be judged on them")
    func unavailable() throws {
        var r = try Self.report()
        r.wakers = nil
        r.cpus = nil
        r.runnableWait.byCause = nil
        for text in ["waker[comm=*].count > 0", "cpu[0].on_core > 0ns", "runnable_wait.idle > 0ns"] {
            #expect(throws: MetricUnavailable.self, "\(text)") { try RuleParser.rule(text).observed(in: r) }
        }
    }

    static let refused: [(String, String)] = [
        ("wakers.count > 1", "'wakers' is a list"),
        ("waker[comm=[hardirq].count > 1", "'[' is not closed"),
        ("waker[name=x].count > 1", "expected comm=, tgid= or pid= inside waker[…]"),
        ("cpu[x].on_core > 1ms", "expected a CPU number"),
        ("cpu[1.on_core > 1ms", "expected ']'"),
        ("cpu[99999999].on_core > 1ms", "expected a CPU number"),
        ("cpu[0].p99 > 1ms", "has no field 'p99'"),
        ("cpu[0].on_core > 5", "needs a time unit"),
        ("runnable_wait.throttle > 1%", "did you mean 'throttled'?"),
        ("runnable_wait.idle.p99 > 1ms", "has no field 'p99'"),
        ("waker[pid=1].count > 1ms", "is a count"),
    ]

    @Test("bad paths are refused with a hint", arguments: refused)
    func refuses(_ text: String, _ message: String) throws {
        let e = try #require(ruleError(text), "\(text) parsed")
        #expect("\(e)".contains(message), "\(text): \(e)")
    }
}
