import CThiefABI
import Foundation
import Testing
import ThiefReport

@testable import ThiefCore

/// Contention among targets, the runnable wait's causes, and the per-process rows.
@Suite("Services: contention, causes, processes")
struct ContentionAndProcessesTests {
    func slice(_ tid: UInt32, _ tgid: UInt32, from: UInt64, to: UInt64, contended: UInt64, waiter: UInt32) -> Record {
        Record(
            .slice(
                SliceEnded(
                    tid: tid, tgid: tgid, cpu: 1, start: from, end: to, ran: to - from, next: .preempted,
                    contended: contended, waiter: waiter)))
    }

    func wait(_ tid: UInt32, _ tgid: UInt32, from: UInt64, to: UInt64, targets: UInt64) -> Record {
        Record(
            .wait(
                WaitEnded(
                    tid: tid, tgid: tgid, cpu: 1, queueCPU: 1, start: from, end: to,
                    causes: .init(targets: targets, known: true))))
    }

    /// Two processes (100: threads 101, 102; 200: thread 201) on one CPU,
    /// each waiting while another runs; an outside task steals from 201.
    func run(interval: UInt64? = nil) -> [Report] {
        let s = Session(runStart: W, interval: interval)
        for (tid, tgid) in [(101, 100), (102, 100), (201, 200)] as [(UInt32, UInt32)] {
            s.addThread(tid: tid, tgid: tgid, comm: "p\(tgid)", state: .preempted)
        }
        var reports: [Report] = []
        s.onInterval = { w, _ in reports.append(w.report(meta())) }
        s.fold(slice(101, 100, from: W, to: W + 4 * ms, contended: 4 * ms, waiter: 201))
        s.fold(wait(102, 100, from: W, to: W + 4 * ms, targets: 4 * ms))
        s.fold(slice(102, 100, from: W + 4 * ms, to: W + 7 * ms, contended: 3 * ms, waiter: 201))
        s.fold(
            Record(
                kind: .steal, ts: W + 9 * ms, dur: 2 * ms, cpu: 1, tid: 201, tgid: 0, otherPid: 999, otherTgid: 999,
                comm: "outsider"))
        s.fold(wait(201, 200, from: W, to: W + 9 * ms, targets: 7 * ms))
        s.fold(slice(201, 200, from: W + 9 * ms, to: W + 12 * ms, contended: 3 * ms, waiter: 101))
        let (last, _) = s.finish(at: W + 12 * ms, open: [(tid: UInt32, state: thief_tstate)]())
        return reports + [last.report(meta())]
    }

    @Test("contention lists the target threads that ran while others waited, marked target")
    func contentionRows() throws {
        let r = try #require(run().last)
        let c = try #require(r.contention)
        #expect(c.map(\.pid) == [101, 102, 201] || c.map(\.pid) == [101, 201, 102])
        #expect(c.allSatisfy { $0.target == true && !$0.kthread })
        #expect(r.contentionNs == 10 * ms)
        #expect(c.first { $0.pid == 101 }?.comm == "p100")
        #expect(r.thieves.map(\.pid) == [999] && r.thieves[0].target == nil)
    }

    @Test("the runnable wait's causes sum to its total")
    func causes() throws {
        let r = try #require(run().last)
        let c = try #require(r.runnableWait.byCause)
        #expect(c.total == r.runnableWait.totalNs && r.runnableWait.totalNs == 13 * ms)
        #expect(c.tasksNs == 2 * ms && c.targetsNs == 11 * ms && c.otherNs == 0)
        let t201 = try #require(r.target.threads.first { $0.tid == 201 }?.byCause)
        #expect(t201.tasksNs == 2 * ms && t201.targetsNs == 7 * ms)
        let p100 = try #require(r.target.processes?.first { $0.pid == 100 }?.byCause)
        #expect(p100.targetsNs == 4 * ms && p100.total == 4 * ms)
    }

    @Test("a row per process, most waiting first, with what took its time")
    func processRows() throws {
        let r = try #require(run().last)
        let p = try #require(r.target.processes)
        #expect(p.map(\.pid) == [100, 200] || p.map(\.pid) == [200, 100])
        #expect(p[0].runnableWaitNs >= p[1].runnableWaitNs)
        let p100 = try #require(p.first { $0.pid == 100 }), p200 = try #require(p.first { $0.pid == 200 })
        #expect(p100.threads == 2 && p100.onCoreNs == 7 * ms && p100.contentionNs == 3 * ms)
        #expect(p200.threads == 1 && p200.onCoreNs == 3 * ms && p200.stolenNs == 2 * ms && p200.contentionNs == 7 * ms)
    }

    @Test("intervals: contention and per-process time add up to the whole run")
    func intervalsAddUp() throws {
        let whole = try #require(run().last)
        let parts = run(interval: 5 * ms)
        #expect(parts.count > 1)
        #expect(parts.reduce(0) { $0 + $1.contentionNs } == whole.contentionNs)
        for pid: UInt32 in [100, 200] {
            let sum = parts.reduce(UInt64(0)) { acc, r in
                acc + (r.target.processes?.first { $0.pid == pid }?.onCoreNs ?? 0)
            }
            #expect(sum == whole.target.processes?.first { $0.pid == pid }?.onCoreNs)
        }
    }

    @Test("past the cap, processes fold into one (others) row with exact totals")
    func processCap() throws {
        let s = Session(runStart: W)
        let n = UInt32(Processes.cap + 10)
        for i in 0..<n {
            let tid = 1_000 + i
            s.fold(Record(kind: .slice, ts: W + ms, start: W, dur: UInt64(i + 1) * 1_000, cpu: 0, tid: tid, tgid: tid))
        }
        let (last, _) = s.finish(at: W + 2 * ms, open: [(tid: UInt32, state: thief_tstate)]())
        let rows = try #require(last.report(meta()).target.processes)
        #expect(rows.count == Processes.cap + 1)
        #expect(rows.last?.comm == Processes.othersName && rows.last?.pid == 0 && rows.last?.threads == 10)
        #expect(rows.reduce(0) { $0 + $1.onCoreNs } == (1...UInt64(n)).reduce(0) { $0 + $1 * 1_000 })
    }

    @Test("a target kind this thief does not know reads as nil; the report still loads")
    func unknownKind() throws {
        var r = try #require(run().last)
        r.target.kind = .cgroup
        let json = try JSONRenderer.render(r).replacingOccurrences(of: "\"cgroup\"", with: "\"future-kind\"")
        let back = try JSONRenderer.decode(Data(json.utf8))
        #expect(back.target.kind == nil && back.target.pid == r.target.pid)
        #expect(try JSONRenderer.decode(Data(JSONRenderer.render(r).utf8)).target.kind == .cgroup)
    }
}
