import CThiefABI
import Testing
import ThiefCore

/// close(): the episodes still open in the kernel's per-thread state at the
/// end of the window, and threads with no event at all.
@Suite("Run end: what the kernel holds open")
struct RunEndTests {
    let end = W + 10 * ms

    @Test("a running thread contributes a slice up to the end, on its CPU")
    func openRunning() throws {
        let a = Window(windowStart: W)
        a.addThread(tid: 1, tgid: 1, comm: "main")
        a.close(at: end, open: [(1, tstate(tgid: 1, running: true, onTs: W + 8 * ms, onCpu: 3))])
        let t = try #require(a.threads[1])
        #expect(t.onCore == 2 * ms)
        #expect(t.slices == 1)
        #expect(t.offCore == 0)
        #expect(a.time.onCore.total == 2 * ms)
        #expect(a.cpusSeen == [3])
        #expect(a.end == end)
        #expect(a.records == 0, "synthesized records are not kernel records")
    }

    @Test("a running slice that began before the window is clipped to it")
    func openRunningClipped() throws {
        let a = Window(windowStart: W)
        a.close(at: end, open: [(1, tstate(tgid: 1, running: true, onTs: W - 5 * ms, onCpu: 1))])
        #expect(try #require(a.threads[1]).onCore == 10 * ms)
    }

    @Test("an off-core thread contributes off-core time in its off_state")
    func openOffCore() throws {
        let a = Window(windowStart: W)
        a.close(
            at: end,
            open: [
                (1, tstate(tgid: 1, offTs: W + 4 * ms, offState: .blocked)),
                (2, tstate(tgid: 1, offTs: W + 9 * ms, offState: .sleeping)),
                (3, tstate(tgid: 1, offTs: 0, offState: .other)),  // never switched in: since before tracing
            ])
        #expect(try #require(a.threads[1]).offCore == 6 * ms)
        #expect(try #require(a.threads[2]).offCore == 1 * ms)
        #expect(try #require(a.threads[3]).offCore == 10 * ms)
        #expect(a.time.byState[OffState.blocked.rawValue].total == 6 * ms)
        #expect(a.time.byState[OffState.sleeping.rawValue].total == 1 * ms)
        #expect(a.time.byState[OffState.other.rawValue].total == 10 * ms)
        #expect(a.time.byState[OffState.preempted.rawValue].count == 0)
        #expect(a.time.onCore.count == 0)
        #expect(a.runnableWait.waits.count == 0)
        #expect(a.records == 0)
    }

    @Test("a waiting thread contributes a runnable wait and its off-core interval")
    func openWaiting() throws {
        let a = Window(windowStart: W)
        a.close(
            at: end,
            open: [
                (1, tstate(tgid: 1, offTs: W + 7 * ms, offState: .preempted, waiting: true, waitTs: W + 7 * ms)),
                // slept from 2 ms, woken at 9 ms, still waiting for a CPU at the end
                (2, tstate(tgid: 1, offTs: W + 2 * ms, offState: .sleeping, waiting: true, waitTs: W + 9 * ms)),
                // waiting since before tracing
                (3, tstate(tgid: 1, offTs: 0, offState: .preempted, waiting: true, waitTs: 0)),
            ])
        #expect(try #require(a.threads[1]).runnableWait == 3 * ms)
        #expect(try #require(a.threads[1]).offCore == 3 * ms)
        #expect(try #require(a.threads[2]).runnableWait == 1 * ms)
        #expect(try #require(a.threads[2]).offCore == 8 * ms)
        #expect(try #require(a.threads[3]).runnableWait == 10 * ms)
        #expect(try #require(a.threads[3]).offCore == 10 * ms)
        #expect(a.runnableWait.waits.total == 14 * ms)
        #expect(a.runnableWait.waits.count == 3)
        #expect(a.time.byState[OffState.preempted.rawValue].total == 13 * ms)
        #expect(a.time.byState[OffState.sleeping.rawValue].total == 8 * ms)
        #expect(a.records == 0)
    }

    @Test("an untouched thread: on = the kernel's books, off = window - on")
    func untouchedRunning() throws {
        let a = Window(windowStart: W)
        a.addThread(tid: 5, tgid: 5, comm: "spin")
        a.close(
            at: end, open: [(5, tstate(tgid: 5, offState: .preempted))],
            untouchedOnCore: [5: 3 * ms])
        let t = try #require(a.threads[5])
        #expect(t.onCore == 3 * ms)
        #expect(t.offCore == 7 * ms)
        #expect(t.slices == 1)
        #expect(t.onCore + t.offCore == 10 * ms)
        #expect(a.time.byState[OffState.preempted.rawValue].total == 7 * ms)
        #expect(a.records == 0)
        let r = a.report(meta(pid: 5, comm: "spin"))
        #expect(r.target.threads.first?.onCoreNs == 3 * ms)
        #expect(r.target.threads.first?.offCoreNs == 7 * ms)
        #expect(r.records == 0)
    }

    @Test("an untouched sleeping thread: on-core 0, off-core = window")
    func untouchedSleeping() throws {
        let a = Window(windowStart: W)
        a.addThread(tid: 6, tgid: 5, comm: "idle")
        a.close(at: end, open: [(6, tstate(tgid: 5, offState: .sleeping))], untouchedOnCore: [6: 0])
        let t = try #require(a.threads[6])
        #expect(t.onCore == 0)
        #expect(t.slices == 0)
        #expect(t.offCore == 10 * ms)
        #expect(a.time.onCore.count == 0)
        #expect(a.time.byState[OffState.sleeping.rawValue].total == 10 * ms)
        #expect(a.time.byState[OffState.sleeping.rawValue].count == 1)
    }

    @Test("an untouched thread's on-core is capped at the window")
    func untouchedCapped() throws {
        let a = Window(windowStart: W)
        a.close(at: end, open: [(7, tstate(tgid: 7))], untouchedOnCore: [7: 12 * ms])
        let t = try #require(a.threads[7])
        #expect(t.onCore == 10 * ms)
        #expect(t.offCore == 0)
        #expect(a.time.offCore.count == 0)
    }

    @Test("close with several kinds of open thread at once; per-thread books balance")
    func mixed() throws {
        let a = Window(windowStart: W)
        for tid: UInt32 in 1...4 { a.addThread(tid: tid, tgid: 1, comm: "t\(tid)") }
        // Thread 1 ran, slept, is running again at the end.
        a.fold([
            Record(kind: .slice, ts: W + 4 * ms, start: 0, cpu: 0, tid: 1, tgid: 1),
            Record(kind: .offCore, ts: W + 6 * ms, start: W + 4 * ms, aux: 1, tid: 1, tgid: 1),
        ])
        // Thread 2 ran, is off-core (blocked) at the end.
        a.fold(Record(kind: .slice, ts: W + 1 * ms, start: 0, cpu: 1, tid: 2, tgid: 1))
        a.close(
            at: end,
            open: [
                (1, tstate(tgid: 1, running: true, onTs: W + 6 * ms, onCpu: 0)),
                (2, tstate(tgid: 1, offTs: W + 1 * ms, offState: .blocked)),
                (3, tstate(tgid: 1, offState: .preempted)),
                (4, tstate(tgid: 1, offState: .sleeping)),
            ], untouchedOnCore: [3: 10 * ms, 4: 0])
        let r = a.report(meta(pid: 1, comm: "t1"))
        #expect(r.target.threads.map(\.tid) == [1, 2, 3, 4])
        for t in r.target.threads {
            #expect(t.onCoreNs + t.offCoreNs == 10 * ms, "thread \(t.tid)")
            #expect(t.endNs - t.startNs == 10 * ms)
            #expect(t.exited == false)
        }
        #expect(r.target.threads.map(\.onCoreNs) == [8 * ms, 1 * ms, 10 * ms, 0])
        #expect(r.records == 3)
        #expect(r.onCore.totalNs == 19 * ms)
        #expect(r.offCore.totalNs == 21 * ms)
        #expect(r.window.durationNs == 10 * ms)
    }
}
