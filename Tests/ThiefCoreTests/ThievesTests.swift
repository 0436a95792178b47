import CThiefABI
import Testing

@testable import ThiefCore

/// Stolen time: tasks that ran on the CPU whose run queue held a target thread.
@Suite("Thieves")
struct ThievesTests {
    @Test("one thief on CPU 0 then CPU 1 (victim migrated while queued) is one entry")
    func thiefFollowsMigration() throws {
        let a = Window(windowStart: W)
        a.fold([
            Record(
                kind: .steal, ts: W + 3 * ms, start: W + 1 * ms, dur: 2 * ms, cpu: 0,
                tid: 10, tgid: 10, otherPid: 500, otherTgid: 500, comm: "stress"),
            Record(kind: .migrate, ts: W + 3 * ms, aux: 1, tid: 10, tgid: 10, otherPid: 0, otherTgid: 1),
            Record(
                kind: .steal, ts: W + 8 * ms, start: W + 3 * ms, dur: 5 * ms, cpu: 1,
                tid: 10, tgid: 10, otherPid: 500, otherTgid: 500, comm: "stress"),
        ])
        #expect(a.thieves.count == 1)
        let t = try #require(a.thieves[500])
        #expect(t.count == 2)
        #expect(t.stolen == 7 * ms)
        #expect(t.max == 5 * ms)
        #expect(t.comm == "stress")
        #expect(t.tgid == 500)
        #expect(t.kthread == false)

        a.close(at: W + 10 * ms, open: [])
        let r = a.report(meta())
        #expect(
            r.thieves == [
                Report.Thief(
                    pid: 500, tgid: 500, comm: "stress", count: 2,
                    stolenNs: 7 * ms, maxNs: 5 * ms, kthread: false)
            ])
        // A steal is not a slice of the victim, and the thief is not a target thread.
        #expect(a.time.onCore.count == 0)
        #expect(a.threads[500] == nil)
    }

    @Test("thieves sorted by stolen time, descending; ties by pid")
    func sorted() {
        let a = Window(windowStart: W)
        func steal(_ pid: UInt32, _ dur: UInt64, _ comm: String, aux: UInt32 = 0) -> Record {
            Record(
                kind: .steal, ts: W + 50 * ms, start: W + 50 * ms - dur, dur: dur, aux: aux,
                tid: 10, tgid: 10, otherPid: pid, otherTgid: pid, comm: comm)
        }
        a.fold([
            steal(300, 1 * ms, "small"),
            steal(200, 4 * ms, "big"),
            steal(100, 2 * ms, "medium"),
            steal(400, 2 * ms, "medium2"),
            steal(300, 500 * us, "small"),
        ])
        a.close(at: W + 100 * ms, open: [])
        let r = a.report(meta())
        #expect(r.thieves.map(\.pid) == [200, 100, 400, 300])
        #expect(r.thieves.map(\.stolenNs) == [4 * ms, 2 * ms, 2 * ms, 1_500 * us])
        #expect(r.thieves.last?.count == 2)
        #expect(r.thieves.last?.maxNs == 1 * ms)
    }

    @Test("kthread flag from aux THIEF_F_KTHREAD")
    func kthread() throws {
        #expect(THIEF_F_KTHREAD == 1)
        let a = Window(windowStart: W)
        a.fold([
            Record(
                kind: .steal, ts: W + 2 * ms, start: W + 1 * ms, dur: 1 * ms, aux: THIEF_F_KTHREAD,
                tid: 10, tgid: 10, otherPid: 55, otherTgid: 55, comm: "kworker/0:1"),
            Record(
                kind: .steal, ts: W + 4 * ms, start: W + 3 * ms, dur: 1 * ms, aux: 0,
                tid: 10, tgid: 10, otherPid: 600, otherTgid: 599, comm: "java"),
        ])
        #expect(try #require(a.thieves[55]).kthread)
        #expect(try #require(a.thieves[55]).comm == "kworker/0:1")
        #expect(try #require(a.thieves[600]).kthread == false)
        #expect(try #require(a.thieves[600]).tgid == 599)
    }

    @Test("a steal that started before the window is clipped to the window")
    func stealClipped() throws {
        let a = Window(windowStart: W)
        // Ran 8 ms, of which 3 ms inside the window.
        a.fold(
            Record(
                kind: .steal, ts: W + 3 * ms, start: W - 5 * ms, dur: 8 * ms,
                tid: 10, tgid: 10, otherPid: 500, otherTgid: 500, comm: "stress"))
        // Fully after the start: counted as is.
        a.fold(
            Record(
                kind: .steal, ts: W + 9 * ms, start: W + 5 * ms, dur: 4 * ms,
                tid: 10, tgid: 10, otherPid: 500, otherTgid: 500, comm: "stress"))
        let t = try #require(a.thieves[500])
        #expect(t.stolen == 7 * ms)
        #expect(t.max == 4 * ms)
        #expect(t.count == 2)
    }

    @Test("a clipped steal never exceeds its own dur")
    func stealClippedByDur() throws {
        let a = Window(windowStart: W)
        // The wait began long ago, the thief ran only 1 ms (accumulated stolen time).
        a.fold(
            Record(
                kind: .steal, ts: W + 10 * ms, start: W - 1 * ms, dur: 1 * ms,
                tid: 10, tgid: 10, otherPid: 500, otherTgid: 500, comm: "stress"))
        #expect(try #require(a.thieves[500]).stolen == 1 * ms)
    }
}

@Suite("Thieves: bounded under a fork storm")
struct ThievesFoldTests {
    func steal(_ pid: UInt32, _ ns: UInt64, at t: UInt64) -> Event {
        .steal(
            Steal(
                victim: 10, cpu: 0, start: t - ns, end: t, duration: ns, pid: pid, tgid: pid, kthread: false,
                comm: Comm("t\(pid)")))
    }

    @Test("past 2 × keep tasks the smallest fold into (others); the top stay exact and the total is unchanged")
    func foldKeepsTopAndTotals() {
        var t = Thieves(keep: 4)
        let span = WindowSpan(start: W, runStart: W)
        var total: UInt64 = 0
        // Two big thieves first, then a storm of small ones.
        t.consume(steal(1, 50 * ms, at: W + 100 * ms), in: span)
        t.consume(steal(2, 40 * ms, at: W + 200 * ms), in: span)
        total += 90 * ms
        for pid: UInt32 in 100..<1_100 {
            t.consume(steal(pid, UInt64(pid) * 1_000, at: W + 300 * ms), in: span)
            total += UInt64(pid) * 1_000
        }
        #expect(t.count <= 8)
        #expect(t[1]?.stolen == 50 * ms && t[2]?.stolen == 40 * ms)
        let rows = t.section(SectionContext(start: W, end: W + ms, threadTime: ms))
        #expect(rows.reduce(0) { $0 + $1.stolenNs } == total)
        #expect(rows.reduce(0) { $0 + $1.count } == 1_002)
        let others = rows.filter { $0.comm == Thieves.othersName }
        #expect(others.count == 1 && others[0].pid == 0)
        // The largest small thieves that came last are still exact.
        #expect(t[1_099]?.stolen == 1_099_000)
    }

    @Test("no fold below the bound: no (others) entry")
    func noFold() {
        var t = Thieves(keep: 4)
        let span = WindowSpan(start: W, runStart: W)
        for pid: UInt32 in 1...8 { t.consume(steal(pid, ms, at: W + 10 * ms), in: span) }
        let rows = t.section(SectionContext(start: W, end: W + ms, threadTime: ms))
        #expect(rows.count == 8 && !rows.contains { $0.comm == Thieves.othersName })
    }
}
