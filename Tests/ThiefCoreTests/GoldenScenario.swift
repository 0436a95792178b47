import CThiefABI
import ThiefCore

/// One deterministic 100 ms window over a process with two threads, used by
/// the golden-file and JSON-contract tests. Every number it produces is
/// worked out by hand in `GoldenScenarioTests`.
///
/// victim (tid 1000), seeded before the window:
///   [0, 10]   on CPU 0, slice began before tracing (start_ts 0)         10 ms
///   [10, 12]  preempted on CPU 0 by stress (steal 2 ms); waits 2 ms
///   [12, 30]  on CPU 0: sum_exec grew 17.99 ms (10 us less than the span);
///             local_timer, TIMER, hard IRQ 42, NET_RX (with IRQ 42 nested)
///   [30, 50]  sleeping; woken at 48 onto CPU 1 (migration at wakeup);
///             kworker/1:2 (kthread) ran 1.5 ms of its 2 ms wait
///   [50, 60]  on CPU 1                                                     10 ms
///   [60, 65]  preempted on CPU 1; stress ran 2 ms there, the victim was
///             moved while queued to CPU 0 at 62, stress ran 3 ms there; waits 5 ms
///   [65, 80]  on CPU 0                                                     15 ms
///   [80, 81]  stopped by the migration stopper, moved while running to CPU 2; waits 1 ms
///   [81, 90]  on CPU 2                                                      9 ms
///   [90, 95]  blocked (I/O); woken at 94.8, waits 0.2 ms
///   [95, 100] on CPU 2, still running at the end (closed by close())        5 ms
///
/// Culprits' identities: stress (pid 2000) normal, nice 5, in
/// /system.slice/stress.service (id 4242), CPUs 0-3; kworker/1:2 (pid 55)
/// normal, nice 0, in the root cgroup (id 1), CPU 1, ran vmstat_update for
/// 1 ms of its 1.5 ms inside the victim's wait.
///
/// worker (tid 1001), created at 40 ms, exits at 70 ms:
///   [40, 41]  new, placed on CPU 3 (migration at wakeup), waits 1 ms
///   [41, 51]  on CPU 3                                                     10 ms
///   [51, 56]  stopped (state other), woken at 55.5, waits 0.5 ms
///   [56, 70]  on CPU 3, exits                                              14 ms
///
/// Wakers: a hard IRQ on CPU 0 woke the victim at 48 (it ran at 50 on CPU 1);
/// the victim, on CPU 1, woke the worker at 55.5 (it ran at 56 on CPU 3);
/// kworker/2:1 on CPU 2 woke the victim at 94.8 (it ran at 95 on CPU 2).
///
/// Topology: CPUs 0 and 1 are SMT siblings of core 0, 2 and 3 of core 1; each
/// core has its own last-level cache; one node.
enum GoldenScenario {
    static let start = W
    static let end = W + 100 * ms
    static let victim: UInt32 = 1000
    static let worker: UInt32 = 1001

    static func at(_ t: Double) -> UInt64 { W + UInt64((t * 1_000).rounded()) * us }

    static var records: [Record] {
        let v = victim, wk = worker, p = victim
        func irq(_ kind: IRQKind, _ n: UInt32, start: Double, span: UInt64, dur: UInt64, comm: String = "") -> Record {
            Record(
                kind: .irq, ts: at(start) + span, start: at(start), dur: dur, cpu: 0, aux: kind.rawValue,
                tid: v, tgid: p, otherPid: n, comm: comm)
        }
        return [
            Record(kind: .slice, ts: at(10), start: 0, dur: 0, cpu: 0, tid: v, tgid: p),
            Record(
                kind: .steal, ts: at(12), start: at(10), dur: 2 * ms, cpu: 0, aux: 0,
                tid: v, tgid: p, otherPid: 2000, otherTgid: 2000, comm: "stress"),
            identity(2000, at: at(12), nice: 5, cgroup: 4242, cpus: 0b1111),
            Record(kind: .offCore, ts: at(12), start: at(10), cpu: 0, aux: 0, tid: v, tgid: p),
            Record(kind: .wait, ts: at(12), start: at(10), cpu: 0, tid: v, tgid: p, otherPid: 0),
            irq(.systemVector, 0, start: 13, span: 1_500, dur: 1_500),
            irq(.soft, 1, start: 13.0015, span: 1_000, dur: 1_000),
            irq(.hard, 42, start: 15, span: 3_000, dur: 3_000, comm: "nvme0q1"),
            irq(.soft, 1, start: 18, span: 2_000, dur: 2_000),
            irq(.hard, 42, start: 20.002, span: 5_000, dur: 5_000, comm: "nvme0q1"),
            irq(.soft, 3, start: 20, span: 15_000, dur: 10_000),  // 5 us of nested IRQ 42 excluded
            irq(.systemVector, 0, start: 25, span: 2_500, dur: 2_500),
            irq(.soft, 1, start: 28, span: 3_000, dur: 3_000),
            Record(kind: .slice, ts: at(30), start: at(12), dur: 17_990_000, cpu: 0, tid: v, tgid: p),
            Record(kind: .newThread, ts: at(40), cpu: 0, tid: wk, tgid: p, otherPid: v, comm: "worker"),
            Record(kind: .migrate, ts: at(40), cpu: 0, aux: 0, tid: wk, tgid: p, otherPid: 0, otherTgid: 3),
            Record(kind: .offCore, ts: at(41), start: at(40), cpu: 3, aux: 0, tid: wk, tgid: p),
            Record(kind: .wait, ts: at(41), start: at(40), cpu: 3, tid: wk, tgid: p, otherPid: 3),
            Record(kind: .migrate, ts: at(48), cpu: 1, aux: 0, tid: v, tgid: p, otherPid: 0, otherTgid: 1),
            Record(
                kind: .steal, ts: at(50), start: at(48.5), dur: 1_500 * us, cpu: 1, aux: THIEF_F_KTHREAD,
                tid: v, tgid: p, otherPid: 55, otherTgid: 55, comm: "kworker/1:2"),
            identity(55, at: at(50), nice: 0, cgroup: 1, cpus: 0b0010),
            Record(
                .work(
                    WorkItem(
                        victim: v, cpu: 1, end: at(50), duration: 1 * ms, function: vmstatUpdate, pid: 55,
                        comm: Comm("kworker/1:2")))),
            Record(kind: .offCore, ts: at(50), start: at(30), cpu: 1, aux: 1, tid: v, tgid: p),
            Record(kind: .wait, ts: at(50), start: at(48), cpu: 1, tid: v, tgid: p, otherPid: 1),
            wakeup(v, cpu: 1, waking: 48, end: 50, by: 2000, "stress", cpu: 0, .hardIRQ),
            Record(kind: .slice, ts: at(51), start: at(41), dur: 10 * ms, cpu: 3, tid: wk, tgid: p),
            Record(kind: .offCore, ts: at(56), start: at(51), cpu: 3, aux: 3, tid: wk, tgid: p),
            Record(kind: .wait, ts: at(56), start: at(55.5), cpu: 3, tid: wk, tgid: p, otherPid: 3),
            wakeup(wk, cpu: 3, waking: 55.5, end: 56, by: v, "victim", cpu: 1, .task),
            Record(kind: .slice, ts: at(60), start: at(50), dur: 10 * ms, cpu: 1, tid: v, tgid: p),
            Record(
                kind: .steal, ts: at(62), start: at(60), dur: 2 * ms, cpu: 1, aux: 0,
                tid: v, tgid: p, otherPid: 2000, otherTgid: 2000, comm: "stress"),
            Record(kind: .migrate, ts: at(62), cpu: 0, aux: 1, tid: v, tgid: p, otherPid: 1, otherTgid: 0),
            Record(
                kind: .steal, ts: at(65), start: at(62), dur: 3 * ms, cpu: 0, aux: 0,
                tid: v, tgid: p, otherPid: 2000, otherTgid: 2000, comm: "stress"),
            Record(kind: .offCore, ts: at(65), start: at(60), cpu: 0, aux: 0, tid: v, tgid: p),
            Record(kind: .wait, ts: at(65), start: at(60), cpu: 0, tid: v, tgid: p, otherPid: 0),
            Record(kind: .slice, ts: at(70), start: at(56), dur: 14 * ms, cpu: 3, tid: wk, tgid: p),
            Record(kind: .exit, ts: at(70), cpu: 3, tid: wk, tgid: p, comm: "worker"),
            Record(kind: .slice, ts: at(80), start: at(65), dur: 15 * ms, cpu: 0, tid: v, tgid: p),
            Record(kind: .migrate, ts: at(80), cpu: 0, aux: 2, tid: v, tgid: p, otherPid: 0, otherTgid: 2),
            Record(kind: .offCore, ts: at(81), start: at(80), cpu: 2, aux: 0, tid: v, tgid: p),
            Record(kind: .wait, ts: at(81), start: at(80), cpu: 2, tid: v, tgid: p, otherPid: 2),
            Record(kind: .slice, ts: at(90), start: at(81), dur: 9 * ms, cpu: 2, tid: v, tgid: p),
            Record(kind: .offCore, ts: at(95), start: at(90), cpu: 2, aux: 2, tid: v, tgid: p),
            Record(kind: .wait, ts: at(95), start: at(94.8), cpu: 2, tid: v, tgid: p, otherPid: 2),
            wakeup(v, cpu: 2, waking: 94.8, end: 95, by: 56, "kworker/2:1", cpu: 2, .task, kthread: true),
        ]
    }

    static let vmstatUpdate: UInt64 = 0xffff_ffff_815b_e070

    static func identity(_ pid: UInt32, at t: UInt64, nice: Int32, cgroup: UInt64, cpus: UInt64) -> Record {
        Record(
            .identity(
                TaskIdentity(
                    pid: pid, tgid: pid, time: t, policy: .normal, nice: nice, rtPriority: 0, cgroupID: cgroup,
                    cpusAllowedCount: UInt32(cpus.nonzeroBitCount), cpusAllowed: (cpus, 0))))
    }

    /// What the live run read outside the stream: the cgroup paths and the symbol.
    static let culprits: CulpritNames = {
        var n = CulpritNames()
        n.cgroups = ["4242": "/system.slice/stress.service", "1": "/"]
        n.symbols = [String(vmstatUpdate, radix: 16): "vmstat_update"]
        return n
    }()

    // swift-format-ignore: FunctionParameterCount
    static func wakeup(
        _ tid: UInt32, cpu: UInt16, waking: Double, end: Double, by pid: UInt32, _ comm: String, cpu wcpu: UInt16,
        _ context: Waker.Context, kthread: Bool = false
    ) -> Record {
        Record(
            .wakeup(
                Wakeup(
                    tid: tid, tgid: victim, cpu: cpu, waking: at(waking), end: at(end),
                    waker: Waker(
                        pid: pid, tgid: pid, comm: Comm(comm), kthread: kthread, context: context, cpu: wcpu))))
    }

    static let topology = Topology(cpus: [
        .init(cpu: 0, core: 0, package: 0, siblings: [0, 1], llc: 0, node: 0),
        .init(cpu: 1, core: 0, package: 0, siblings: [0, 1], llc: 0, node: 0),
        .init(cpu: 2, core: 1, package: 0, siblings: [2, 3], llc: 2, node: 0),
        .init(cpu: 3, core: 1, package: 0, siblings: [2, 3], llc: 2, node: 0),
    ])

    static let meta: ReportMeta = {
        var m = ReportMeta(
            version: "0.1.0", host: "testhost", kernel: "6.18.0-test", pid: 1000, comm: "victim",
            command: nil, exitStatus: nil, startTime: "2026-01-01T00:00:00.000Z", endReason: "duration",
            lostEvents: 0, attach: "tp_btf", programs: 12)
        m.culprits = culprits
        m.cpuBound = 4
        return m
    }()

    static func aggregator() -> Window {
        let a = Window(windowStart: start)
        a.topology = topology
        a.addThread(tid: victim, tgid: victim, comm: "victim")
        a.fold(records)
        a.close(at: end, open: [(victim, tstate(tgid: victim, running: true, onTs: at(95), onCpu: 2))])
        return a
    }

    static func report() -> Report { aggregator().report(meta) }
}
