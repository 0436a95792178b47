import Testing

@testable import ThiefCore

/// The golden scenario's numbers, worked out by hand (see GoldenScenario),
/// so the golden files are checked against arithmetic, not just against
/// themselves.
@Suite("Golden scenario: hand-computed numbers")
struct GoldenScenarioTests {
    let r = GoldenScenario.report()

    @Test("window, CPUs, records, migrations")
    func header() {
        #expect(
            r.window
                == Report.Window(
                    startNs: W, endNs: W + 100 * ms, durationNs: 100 * ms,
                    startTime: "2026-01-01T00:00:00.000Z", startEpochNs: 0, cpusSeen: [0, 1, 2, 3],
                    endReason: "duration"))
        #expect(r.records == 45)  // 39 episodes and events, 3 identities, 3 wake-ups
        #expect(r.lostEvents == 0)
        // 0→3 (worker) and 0→2 leave the LLC; 0→1 and 1→0 stay on core 0.
        #expect(
            r.migrations
                == Report.Migrations(
                    count: 4, atWakeup: 2, whileQueued: 1, whileRunning: 1,
                    byDistance: .init(sameCore: 2, sameLLC: 0, otherLLC: 2, otherNode: 0)))
        #expect(r.target.pid == 1000 && r.target.comm == "victim" && r.target.command == nil)
    }

    /// A wait split wholly to other tasks (the scenario's waits name no other cause).
    static func tasks(_ ns: UInt64) -> Report.ByCause {
        .init(WaitCauses(tasks: ns, targets: 0, throttled: 0, idle: 0, steal: 0, other: 0))
    }

    @Test("threads: books balance per thread")
    func threads() {
        #expect(
            r.target.threads == [
                Report.ThreadReport(
                    tid: 1000, tgid: 1000, comm: "victim", onCoreNs: 66_990_000, offCoreNs: 33 * ms,
                    slices: 6, runnableWaitNs: 10_200 * us, migrations: 3,
                    startNs: W, endNs: W + 100 * ms, exited: false, byCause: Self.tasks(10_200 * us)),
                Report.ThreadReport(
                    tid: 1001, tgid: 1000, comm: "worker", onCoreNs: 24 * ms, offCoreNs: 6 * ms,
                    slices: 2, runnableWaitNs: 1_500 * us, migrations: 1,
                    startNs: W + 40 * ms, endNs: W + 70 * ms, exited: true, byCause: Self.tasks(1_500 * us)),
            ])
        // The victim's on-core is 10 us short of its window: the slice whose
        // sum_exec grew 17.99 ms over an 18 ms span.
        let v = r.target.threads[0], w = r.target.threads[1]
        #expect(v.onCoreNs + v.offCoreNs == v.endNs - v.startNs - 10 * us)
        #expect(w.onCoreNs + w.offCoreNs == w.endNs - w.startNs)
    }

    @Test("on-core distribution")
    func onCore() {
        // 10, 17.99, 10, 15, 9, 5 (victim) + 10, 14 (worker) ms; thread time 130 ms.
        #expect(r.onCore.totalNs == 90_990_000)
        #expect(r.onCore.count == 8)
        #expect(r.onCore.pct == 90_990_000.0 / 130_000_000.0)
        #expect(r.onCore.minNs == 5 * ms)
        #expect(r.onCore.avgNs == 11_373_750)
        // p50 = 4th of 8 = 10 ms, reported as the top of its HDR bucket (width 8192).
        #expect(r.onCore.p50Ns == 10_002_431)
        #expect(r.onCore.p90Ns == 17_990_000)
        #expect(r.onCore.p99Ns == 17_990_000)
        #expect(r.onCore.maxNs == 17_990_000)
        #expect(
            r.onCore.hist == [
                Report.Bucket(lowNs: 4_096_000, highNs: 8_192_000, count: 1),
                Report.Bucket(lowNs: 8_192_000, highNs: 16_384_000, count: 6),
                Report.Bucket(lowNs: 16_384_000, highNs: 32_768_000, count: 1),
            ])
        #expect(r.onCore.byState == nil)
    }

    @Test("off-core distribution and states")
    func offCore() throws {
        // 2, 20, 5, 1, 5 (victim) + 1, 5 (worker) ms.
        #expect(r.offCore.totalNs == 39 * ms)
        #expect(r.offCore.count == 7)
        #expect(r.offCore.pct == 0.3)
        #expect(r.offCore.minNs == 1 * ms)
        #expect(r.offCore.avgNs == 5_571_428)
        #expect(r.offCore.p50Ns == 5_001_215)  // 5 ms, HDR bucket width 4096
        #expect(r.offCore.p90Ns == 20 * ms)
        #expect(r.offCore.p99Ns == 20 * ms)
        #expect(r.offCore.maxNs == 20 * ms)
        #expect(
            r.offCore.hist == [
                Report.Bucket(lowNs: 512_000, highNs: 1_024_000, count: 2),
                Report.Bucket(lowNs: 1_024_000, highNs: 2_048_000, count: 1),
                Report.Bucket(lowNs: 2_048_000, highNs: 4_096_000, count: 0),
                Report.Bucket(lowNs: 4_096_000, highNs: 8_192_000, count: 3),
                Report.Bucket(lowNs: 8_192_000, highNs: 16_384_000, count: 0),
                Report.Bucket(lowNs: 16_384_000, highNs: 32_768_000, count: 1),
            ])
        let s = try #require(r.offCore.byState)
        let pre = try #require(s[.preempted])
        #expect(pre.totalNs == 9 * ms && pre.count == 4 && pre.minNs == 1 * ms && pre.maxNs == 5 * ms)
        #expect(pre.avgNs == 2_250_000)
        #expect(pre.p50Ns == 1_000_447)
        #expect(pre.p99Ns == 5 * ms)
        #expect(pre.pct == 9_000_000.0 / 130_000_000.0)
        let sl = try #require(s[.sleeping])
        #expect(sl.totalNs == 20 * ms && sl.count == 1 && sl.p50Ns == 20 * ms)
        let bl = try #require(s[.blocked])
        #expect(bl.totalNs == 5 * ms && bl.count == 1 && bl.p50Ns == 5 * ms)
        let ot = try #require(s[.other])
        #expect(ot.totalNs == 5 * ms && ot.count == 1 && ot.p99Ns == 5 * ms)
    }

    @Test("runnable wait")
    func runnableWait() {
        // 2, 2, 5, 1, 0.2 (victim) + 1, 0.5 (worker) ms.
        #expect(r.runnableWait.totalNs == 11_700 * us)
        #expect(r.runnableWait.count == 7)
        #expect(r.runnableWait.minNs == 200 * us)
        #expect(r.runnableWait.avgNs == 1_671_428)
        #expect(r.runnableWait.p50Ns == 1_000_447)
        #expect(r.runnableWait.p99Ns == 5 * ms)
        #expect(r.runnableWait.maxNs == 5 * ms)
        #expect(r.runnableWait.hist.map(\.count) == [1, 1, 2, 2, 0, 1])
        #expect(r.runnableWait.hist.first?.lowNs == 128_000)
    }

    @Test("thieves")
    func thieves() {
        #expect(
            r.thieves == [
                Report.Thief(
                    pid: 2000, tgid: 2000, comm: "stress", count: 3, stolenNs: 7 * ms, maxNs: 3 * ms,
                    kthread: false, policy: "normal", nice: 5, rtPriority: 0, cgroup: "/system.slice/stress.service",
                    cpusAllowed: "0-3"),
                Report.Thief(
                    pid: 55, tgid: 55, comm: "kworker/1:2", count: 1, stolenNs: 1_500 * us,
                    maxNs: 1_500 * us, kthread: true, policy: "normal", nice: 0, rtPriority: 0, cgroup: "/",
                    cpusAllowed: "1", work: [Report.Work(function: "vmstat_update", count: 1, totalNs: 1 * ms)]),
            ])
    }

    @Test("interrupts")
    func interrupts() {
        #expect(
            r.irqs == [
                Report.IRQ(
                    irq: 42, vector: nil, name: "nvme0q1", count: 2, totalNs: 8_000, minNs: 3_000,
                    avgNs: 4_000, maxNs: 5_000)
            ])
        #expect(
            r.softirqs == [
                Report.IRQ(
                    irq: nil, vector: "NET_RX", name: "NET_RX", count: 1, totalNs: 10_000, minNs: 10_000,
                    avgNs: 10_000, maxNs: 10_000),
                Report.IRQ(
                    irq: nil, vector: "TIMER", name: "TIMER", count: 3, totalNs: 6_000, minNs: 1_000,
                    avgNs: 2_000, maxNs: 3_000),
            ])
        #expect(
            r.systemVectors == [
                Report.IRQ(
                    irq: nil, vector: "local_timer", name: "local_timer", count: 2, totalNs: 4_000,
                    minNs: 1_500, avgNs: 2_000, maxNs: 2_500)
            ])
    }

    @Test("wakers: IRQ wake-ups grouped, most first, latency and CPU distance")
    func wakers() throws {
        let w = try #require(r.wakers)
        #expect(w.map(\.comm) == ["[hardirq]", "kworker/2:1", "victim"])
        #expect(w.map(\.pid) == [0, 56, 1000])
        #expect(w.map(\.context) == ["hardirq", "task", "task"])
        #expect(w.map(\.kthread) == [false, true, false])
        #expect(w.map(\.count) == [1, 1, 1])
        #expect(w.map(\.totalNs) == [2 * ms, 200 * us, 500 * us])
        #expect(w.map(\.p50Ns) == w.map(\.totalNs) && w.map(\.p99Ns) == w.map(\.totalNs))
        #expect(w.map(\.maxNs) == w.map(\.totalNs))
        #expect(w.map(\.sameCore) == [1, 0, 0])
        #expect(w.map(\.sameCPU) == [0, 1, 0])
        #expect(w.map(\.otherLLC) == [0, 0, 1])
        #expect(w.allSatisfy { $0.unknown == nil && $0.sameLLC == 0 && $0.otherNode == 0 })
    }

    @Test("per CPU: slices where they ran, waits where they ended, steals and interrupts where they happened")
    func cpus() throws {
        let c = try #require(r.cpus)
        #expect(c.map(\.cpu) == [0, 1, 2, 3])
        #expect(c.map(\.core) == [0, 0, 1, 1] && c.map(\.llc) == [0, 0, 2, 2] && c.map(\.node) == [0, 0, 0, 0])
        #expect(c.map(\.onCoreNs) == [42_990 * us, 10 * ms, 14 * ms, 24 * ms])
        #expect(c.map(\.runnableWaitNs) == [7 * ms, 2 * ms, 1_200 * us, 1_500 * us])
        #expect(c.map(\.stolenNs) == [5 * ms, 3_500 * us, 0, 0])
        #expect(c.map(\.irqNs) == [8_000, 0, 0, 0])
        #expect(c.map(\.softirqNs) == [16_000, 0, 0, 0])
        #expect(c.map(\.sysvecNs) == [4_000, 0, 0, 0])
        #expect(c.reduce(0) { $0 + $1.onCoreNs } == r.onCore.totalNs)
        #expect(c.reduce(0) { $0 + $1.runnableWaitNs } == r.runnableWait.totalNs)
        #expect(c.reduce(0) { $0 + $1.stolenNs } == r.stolenNs)
    }

    /// Except what ran in the worst waits: the kernel sends it before the
    /// wait's end, and a wait takes the stretches that came before it.
    @Test("folding the records in any order gives the same report")
    func orderIndependent() {
        let a = Window(windowStart: GoldenScenario.start)
        a.topology = GoldenScenario.topology
        a.addThread(tid: GoldenScenario.victim, tgid: GoldenScenario.victim, comm: "victim")
        a.fold(GoldenScenario.records.reversed())
        a.close(
            at: GoldenScenario.end,
            open: [(GoldenScenario.victim, tstate(tgid: 1000, running: true, onTs: GoldenScenario.at(95), onCpu: 2))])
        var any = a.report(GoldenScenario.meta), inOrder = r
        func lengths(_ r: Report) -> [UInt64] { (r.worstWaits ?? []).map(\.durationNs) }
        #expect(lengths(any) == lengths(inOrder) && lengths(any).count == 5)
        (any.worstWaits, inOrder.worstWaits) = (nil, nil)
        #expect(any == inOrder)
    }
}
