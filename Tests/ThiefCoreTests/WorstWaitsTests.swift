import CThiefABI
import Foundation
import Testing
import ThiefReport

@testable import ThiefCore

/// The worst waits (`--worst N`): what held a waiting thread's CPU, in time
/// order and clipped to the wait, from synthetic streams in the kernel's order
/// (a CPU's steals, interrupts and slices come before the wait they end).
@Suite("Worst waits")
struct WorstWaitsTests {
    static let victim: UInt32 = 101, peer: UInt32 = 102, tgid: UInt32 = 100

    static func steal(
        cpu: UInt16 = 1, from: UInt64, to: UInt64, pid: UInt32, comm: String, kthread: Bool = false,
        victim: UInt32 = 101
    ) -> Event {
        .steal(
            Steal(
                victim: victim, cpu: cpu, start: from, end: to, duration: to - from, pid: pid, tgid: pid,
                kthread: kthread, comm: Comm(comm)))
    }

    static func wait(
        _ tid: UInt32 = victim, cpu: UInt16 = 1, from: UInt64, to: UInt64, causes: WaitCauses.Measured = .init()
    ) -> Event {
        .wait(WaitEnded(tid: tid, tgid: tgid, cpu: cpu, queueCPU: UInt32(cpu), start: from, end: to, causes: causes))
    }

    static func slice(_ tid: UInt32, cpu: UInt16 = 1, from: UInt64, to: UInt64, contended: UInt64 = 0) -> Event {
        .slice(
            SliceEnded(
                tid: tid, tgid: tgid, cpu: cpu, start: from, end: to, ran: to - from, next: .preempted,
                contended: contended, waiter: contended > 0 ? victim : 0))
    }

    static func irq(_ kind: IRQKind, _ number: UInt32, cpu: UInt16 = 1, at: UInt64, ns: UInt64, name: String = "")
        -> Event
    {
        .interrupt(
            Interrupt(
                tid: peer, tgid: tgid, cpu: cpu, start: at, end: at + ns, duration: ns, kind: kind, number: number,
                handler: Comm(name)))
    }

    static func session(interval: UInt64? = nil, worst: Int = 5) -> Session {
        let s = Session(runStart: W, interval: interval)
        s.worstWaits = worst
        s.addThread(tid: victim, tgid: tgid, comm: "victim", state: .preempted)
        s.addThread(tid: peer, tgid: tgid, comm: "peer", state: .preempted)
        return s
    }

    /// The victim waits 10-30 ms on CPU 1: a hog runs (from before the wait),
    /// the peer target runs with two interrupts, the CPU idles 1 ms, a
    /// kworker runs; then the waker's record follows the wait's.
    static func timeline() -> Report {
        let s = session()
        for e in [
            steal(from: W + 5 * ms, to: W + 16 * ms, pid: 900, comm: "hog"),
            irq(.hard, 24, at: W + 18 * ms, ns: 100 * us, name: "eth0"),
            irq(.soft, 3, at: W + 19 * ms, ns: 50 * us),
            slice(peer, from: W + 16 * ms, to: W + 22 * ms, contended: 6 * ms),
            steal(from: W + 23 * ms, to: W + 30 * ms, pid: 55, comm: "kworker/1:2", kthread: true),
            wait(from: W + 10 * ms, to: W + 30 * ms, causes: .init(targets: 6 * ms, idle: ms, known: true)),
            .wakeup(
                Wakeup(
                    tid: victim, tgid: tgid, cpu: 1, waking: W + 10 * ms, end: W + 30 * ms,
                    waker: Waker(pid: 77, tgid: 77, comm: Comm("nginx"), kthread: false, context: .task, cpu: 0))),
        ] {
            s.fold(Record(e))
        }
        return s.finish(at: W + 40 * ms, open: [(tid: UInt32, state: thief_tstate)]()).0.report(meta())
    }

    @Test("culprits in time order, clipped to the wait, interrupts out of the target's time; they sum to the wait")
    func ordering() throws {
        let r = Self.timeline()
        let w = try #require(r.worstWaits?.first)
        #expect(w.tid == Self.victim && w.comm == "victim" && w.cpu == 1 && w.queueCpu == 1)
        #expect(w.startNs == W + 10 * ms && w.durationNs == 20 * ms && w.durationNs == r.runnableWait.maxNs)
        #expect(w.waker?.pid == 77 && w.waker?.comm == "nginx" && w.waker?.cpu == 0 && w.waker?.context == "task")
        let c = w.culprits
        #expect(
            c.map(\.kind) == ["task", "target", "hardirq", "softirq", "task", "idle", "throttled", "steal", "other"])
        #expect(c.compactMap(\.startNs) == [10, 16, 18, 19, 23].map { W + $0 * ms })
        #expect(c.map(\.ns) == [6 * ms, 6 * ms - 150 * us, 100 * us, 50 * us, 7 * ms, ms, 0, 0, 0])
        #expect(c[0].pid == 900 && c[0].comm == "hog" && c[0].kthread == false)
        #expect(c[1].pid == Self.peer && c[1].comm == "peer")
        #expect(c[2].irq == 24 && c[2].name == "eth0" && c[3].name == "NET_RX")
        #expect(c[4].kthread == true && c[4].comm == "kworker/1:2")
        #expect(c.reduce(0) { $0 + $1.ns } == w.durationNs)
        #expect(w.causes.targetsNs == 6 * ms && w.causes.idleNs == ms && !w.truncated)
    }

    /// A live run's kernel side may hold a CPU's switch records (thief_batch)
    /// while its interrupts' records go straight out: they arrive ahead of
    /// older records. An earlier, uncontended slice must not drop them, and
    /// the wait must find them behind a steal that ended before it began.
    @Test("interrupts that arrive ahead of older records still land in the wait they ran in")
    func interruptsAheadOfHeldRecords() throws {
        let s = Self.session()
        for e in [
            Self.irq(.hard, 24, at: W + 18 * ms, ns: 100 * us, name: "eth0"),
            Self.irq(.soft, 3, at: W + 19 * ms, ns: 50 * us),
            Self.slice(Self.peer, from: W + 1 * ms, to: W + 3 * ms),
            Self.steal(from: W + 4 * ms, to: W + 9 * ms, pid: 901, comm: "early"),
            Self.steal(from: W + 10 * ms, to: W + 16 * ms, pid: 900, comm: "hog"),
            Self.slice(Self.peer, from: W + 16 * ms, to: W + 22 * ms, contended: 6 * ms),
            Self.steal(from: W + 23 * ms, to: W + 30 * ms, pid: 55, comm: "kworker/1:2", kthread: true),
            Self.wait(from: W + 10 * ms, to: W + 30 * ms, causes: .init(targets: 6 * ms, idle: ms, known: true)),
        ] {
            s.fold(Record(e))
        }
        let r = s.finish(at: W + 40 * ms, open: [(tid: UInt32, state: thief_tstate)]()).0.report(meta())
        let w = try #require(r.worstWaits?.first)
        let c = w.culprits
        #expect(c.prefix(5).map(\.kind) == ["task", "target", "hardirq", "softirq", "task"])
        #expect(c.compactMap(\.startNs) == [10, 16, 18, 19, 23].map { W + $0 * ms })
        #expect(c.prefix(5).map(\.ns) == [6 * ms, 6 * ms - 150 * us, 100 * us, 50 * us, 7 * ms])
        #expect(c.reduce(0) { $0 + $1.ns } == w.durationNs)
    }

    @Test("the text report shows a timeline per wait")
    func text() throws {
        let text = TextRenderer.render(Self.timeline())
        #expect(text.contains("  1. 20.00ms  tid 101 (victim) on CPU 1, woken by nginx[77] from CPU 0\n"))
        #expect(text.contains("      +0ns      hog[900]                    6.00ms\n"))
        #expect(text.contains("      +6.00ms   peer[102] (target)          5.85ms\n"))
        #expect(text.contains("      +13.00ms  [kworker/1:2]               7.00ms\n"))
        #expect(text.contains("      idle 1.00ms, throttled 0, steal 0, other 0\n"))
    }

    @Test("JSON: worst_waits round-trips; --worst 0 leaves the key out")
    func json() throws {
        let r = Self.timeline()
        #expect(try JSONRenderer.decode(Data(JSONRenderer.render(r).utf8)) == r)
        #expect(try JSONRenderer.render(r).contains("\"queue_cpu\" : 1"))
        let s = Self.session(worst: 0)
        s.fold(Record(Self.wait(from: W, to: W + ms)))
        let off = s.finish(at: W + 2 * ms, open: [(tid: UInt32, state: thief_tstate)]()).0.report(meta())
        let offJSON = try JSONRenderer.render(off)
        #expect(off.worstWaits == nil && !offJSON.contains("worst_waits"))
    }

    @Test("only the N longest are kept, longest first; ties keep the earlier")
    func topN() throws {
        let s = Self.session(worst: 3)
        var t = W
        for len in [4, 9, 1, 7, 9, 2, 8, 3] as [UInt64] {
            s.fold(Record(Self.wait(cpu: 0, from: t, to: t + len * ms)))
            t += 10 * ms
        }
        let r = s.finish(at: t, open: [(tid: UInt32, state: thief_tstate)]()).0.report(meta())
        let w = try #require(r.worstWaits)
        #expect(w.map(\.durationNs) == [9 * ms, 9 * ms, 8 * ms])
        #expect(w[0].startNs == W + 10 * ms && w[1].startNs == W + 40 * ms)
        #expect(w[0].durationNs == r.runnableWait.maxNs)
    }

    @Test("a waker record for another wait is not paired")
    func wakerPairing() throws {
        let s = Self.session()
        s.fold(Record(Self.wait(from: W, to: W + 5 * ms)))
        let other = Waker(pid: 7, tgid: 7, comm: Comm("x"), kthread: false, context: .hardIRQ, cpu: 1)
        s.fold(
            Record(.wakeup(Wakeup(tid: Self.victim, tgid: Self.tgid, cpu: 1, waking: W, end: W + 6 * ms, waker: other)))
        )
        s.fold(Record(Self.wait(Self.peer, from: W, to: W + 7 * ms)))
        s.fold(
            Record(.wakeup(Wakeup(tid: Self.peer, tgid: Self.tgid, cpu: 1, waking: W, end: W + 7 * ms, waker: other))))
        let w = try #require(
            s.finish(at: W + 8 * ms, open: [(tid: UInt32, state: thief_tstate)]()).0.report(meta()).worstWaits)
        #expect(w.map(\.tid) == [Self.peer, Self.victim])
        #expect(w[0].waker?.context == "hardirq" && w[1].waker == nil)
        #expect(TextRenderer.render(s.current.report(meta())).contains("woken from a hardirq on CPU 1 (in x[7])"))
    }

    @Test("intervals: each has the waits that ended in it; a wait finds what ran in the interval before")
    func intervals() throws {
        let s = Self.session(interval: 10 * ms)
        var reports: [Report] = []
        s.onInterval = { w, _ in reports.append(w.report(meta())) }
        s.fold(Record(Self.wait(Self.peer, cpu: 0, from: W + ms, to: W + 2 * ms)))
        s.fold(Record(Self.steal(from: W + 4 * ms, to: W + 8 * ms, pid: 900, comm: "hog")))
        s.fold(Record(Self.steal(from: W + 8 * ms, to: W + 14 * ms, pid: 901, comm: "hog2")))
        s.fold(Record(Self.wait(from: W + 3 * ms, to: W + 14 * ms)))
        reports.append(s.finish(at: W + 20 * ms, open: [(tid: UInt32, state: thief_tstate)]()).0.report(meta()))
        #expect(reports.count == 2)
        #expect(reports[0].worstWaits?.map(\.tid) == [Self.peer])
        let w = try #require(reports[1].worstWaits?.first)
        #expect(reports[1].worstWaits?.count == 1 && w.durationNs == 11 * ms)
        #expect(w.culprits.compactMap(\.pid) == [900, 901])
        #expect(w.culprits.map(\.ns).prefix(2) == [4 * ms, 6 * ms])
        #expect(w.culprits.last?.kind == "other" && w.culprits.last?.ns == ms)
    }

    @Test("a wait longer than the ring's history is marked truncated; its culprits still sum to it")
    func truncation() throws {
        let s = Self.session()
        let n = StretchRing.capacity + 500
        for i in 0..<UInt64(n) {
            s.fold(Record(Self.steal(from: W + ms + i * 5 * us, to: W + ms + (i + 1) * 5 * us, pid: 900, comm: "hog")))
        }
        let end = W + ms + UInt64(n) * 5 * us
        s.fold(Record(Self.wait(from: W + ms, to: end)))
        let w = try #require(
            s.finish(at: end, open: [(tid: UInt32, state: thief_tstate)]()).0.report(meta()).worstWaits?.first)
        #expect(w.truncated)
        #expect(w.culprits.filter { $0.kind == "task" }.count == StretchRing.capacity)
        #expect(w.culprits.first?.startNs == W + ms + 500 * 5 * us)
        #expect(w.culprits.last?.ns == 500 * 5 * us && w.culprits.reduce(0) { $0 + $1.ns } == w.durationNs)
    }

    @Test("interrupts in slices no target waited through are forgotten: the ring keeps what waits need")
    func uncontendedInterrupts() {
        let s = Self.session()
        for i in 0..<UInt64(StretchRing.capacity + 10) {
            let at = W + i * 100 * us
            s.fold(Record(Self.irq(.systemVector, 0, at: at + 10 * us, ns: 2 * us)))
            s.fold(Record(Self.slice(Self.peer, from: at, to: at + 50 * us)))
        }
        let rings = s.current.worstWaits.rings
        #expect(rings.stretches(cpu: 1, from: 0, to: .max).list.isEmpty)
        s.fold(Record(Self.irq(.systemVector, 0, at: W + 2 * ms, ns: 2 * us)))
        s.fold(Record(Self.slice(Self.peer, from: W + ms, to: W + 3 * ms, contended: ms)))
        #expect(rings.stretches(cpu: 1, from: 0, to: .max).list.map(\.kind) == [.target, .systemVector])
    }

    @Test("overlapping runs are cut so no ns counts twice")
    func overlap() {
        let list = WorstWaits.settle([
            WaitStretch(kind: .task, start: 0, end: 10, ns: 10, id: 1, comm: Comm("a")),
            WaitStretch(kind: .task, start: 6, end: 12, ns: 6, id: 2, comm: Comm("b")),
            WaitStretch(kind: .hardIRQ, start: 7, end: 8, ns: 1, id: 3, comm: Comm("")),
        ])
        #expect(list.map(\.ns) == [10, 2])
        #expect(list.map(\.start) == [0, 10])
    }

    @Test("a recording replays with the live run's --worst; `thief report --worst` overrides it")
    func replay() throws {
        var h = RunHeader(
            version: "0.1.0", host: "h", kernel: "k", pid: 101, comm: "victim", command: nil, runStart: W,
            startEpochNs: 0, attach: "tp_btf", programs: 1, seeds: [.init(tid: 101, tgid: 100, comm: "victim")],
            onlineCPUs: [0, 1])
        h.worstWaits = 2
        let recs = (1...4).map { i in Record(Self.wait(from: W + UInt64(i) * 10 * ms, to: W + UInt64(i) * 11 * ms)) }
        let t = RunTrailer(
            end: W + 60 * ms, endReason: "duration", exitStatus: nil, lostEvents: 0, missedSwitchEvents: 0, open: [],
            untouched: [:], names: [:])
        let bytes =
            try TraceFile.encodeStart(h) + TraceFile.encodeRecords(TraceFileTests.bytes(recs)) + TraceFile.encodeEnd(t)
        let c = try TraceFile.parse(bytes)
        #expect(Replay.reports(c, interval: nil).first?.worstWaits?.map(\.durationNs) == [4 * ms, 3 * ms])
        #expect(Replay.reports(c, interval: nil, worst: 0).first?.worstWaits == nil)
        #expect(Replay.reports(c, interval: nil, worst: 9).first?.worstWaits?.count == 4)
        let a = try Replay.reports(c, interval: nil).map { try JSONRenderer.render($0) }
        let b = try Replay.reports(c, interval: nil).map { try JSONRenderer.render($0) }
        #expect(a == b)
    }
}
