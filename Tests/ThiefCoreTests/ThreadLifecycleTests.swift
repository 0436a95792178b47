import CThiefABI
import Testing

@testable import ThiefCore

/// Threads created and exiting inside the window: their own windows, names
/// and books.
@Suite("Threads: lifecycle")
struct ThreadLifecycleTests {
    let end = W + 10 * ms

    /// A thread created at 2 ms and exiting at 8 ms, with records that tile
    /// its life: queued, ran, slept, ran, exited.
    static let worker: [Record] = [
        Record(kind: .newThread, ts: W + 2 * ms, tid: 11, tgid: 10, otherPid: 10, comm: "worker"),
        Record(kind: .offCore, ts: W + 3 * ms, start: W + 2 * ms, aux: 0, tid: 11, tgid: 10),
        Record(kind: .wait, ts: W + 3 * ms, start: W + 2 * ms, tid: 11, tgid: 10),
        Record(kind: .slice, ts: W + 6 * ms, start: W + 3 * ms, dur: 3 * ms, cpu: 1, tid: 11, tgid: 10),
        Record(kind: .offCore, ts: W + 7 * ms, start: W + 6 * ms, aux: 1, tid: 11, tgid: 10),
        Record(kind: .slice, ts: W + 8 * ms, start: W + 7 * ms, dur: 1 * ms, cpu: 1, tid: 11, tgid: 10),
        Record(kind: .exit, ts: W + 8 * ms, tid: 11, tgid: 10, comm: "worker"),
    ]

    @Test("a thread created and exiting mid-window: window, books, exited flag, comm")
    func createdAndExited() throws {
        let a = Window(windowStart: W)
        a.addThread(tid: 10, tgid: 10, comm: "main")
        a.fold(Self.worker)
        a.close(at: end, open: [(10, tstate(tgid: 10, offState: .sleeping))], untouchedOnCore: [10: 0])

        let t = try #require(a.threads[11])
        #expect(t.birth == W + 2 * ms)
        #expect(t.exit == W + 8 * ms)
        #expect(t.comm == "worker")
        #expect(t.tgid == 10)
        let w = a.span(of: t)
        #expect(w.start == W + 2 * ms)
        #expect(w.end == W + 8 * ms)
        #expect(t.onCore == 4 * ms)
        #expect(t.offCore == 2 * ms)
        #expect(t.onCore + t.offCore == w.end - w.start)
        #expect(t.runnableWait == 1 * ms)
        #expect(t.slices == 2)

        let main = try #require(a.threads[10])
        #expect(a.span(of: main) == (W, end))
        #expect(main.onCore + main.offCore == 10 * ms)

        // Thread time: 10 ms of main + 6 ms of the worker.
        #expect(a.threadTime == 16 * ms)

        let r = a.report(meta(pid: 10, comm: "main"))
        #expect(r.target.threads.count == 2)
        let rw = try #require(r.target.threads.first { $0.tid == 11 })
        #expect(
            rw
                == Report.ThreadReport(
                    tid: 11, tgid: 10, comm: "worker", onCoreNs: 4 * ms, offCoreNs: 2 * ms,
                    slices: 2, runnableWaitNs: 1 * ms, migrations: 0,
                    startNs: W + 2 * ms, endNs: W + 8 * ms, exited: true,
                    byCause: .init(WaitCauses(tasks: 1 * ms, targets: 0, throttled: 0, idle: 0, steal: 0, other: 0)))
        )
        let rm = try #require(r.target.threads.first { $0.tid == 10 })
        #expect(rm.exited == false)
        #expect(rm.startNs == W && rm.endNs == end)
        #expect(r.onCore.pct == Double(4 * ms) / Double(16 * ms))
        #expect(r.offCore.pct == Double(12 * ms) / Double(16 * ms))
    }

    @Test("a seeded thread that exits mid-window: window from the start to the exit")
    func seededExits() throws {
        let a = Window(windowStart: W)
        a.addThread(tid: 10, tgid: 10, comm: "main")
        a.fold([
            Record(kind: .slice, ts: W + 3 * ms, start: 0, tid: 10, tgid: 10),
            Record(kind: .exit, ts: W + 3 * ms, tid: 10, tgid: 10, comm: "other-name"),
        ])
        a.close(at: end, open: [])
        let t = try #require(a.threads[10])
        #expect(a.span(of: t) == (W, W + 3 * ms))
        #expect(t.onCore + t.offCore == 3 * ms)
        // prctl(PR_SET_NAME) sends no event: the name at exit is the latest one.
        #expect(t.comm == "other-name", "EXIT carries the thread's last name")
        #expect(a.report(meta()).target.threads.first?.exited == true)
    }

    @Test("a thread created and still alive at the end: window from creation to the end")
    func createdAlive() throws {
        let a = Window(windowStart: W)
        a.fold(Record(kind: .newThread, ts: W + 4 * ms, tid: 12, tgid: 10, otherPid: 10, comm: "pool-1"))
        a.close(
            at: end,
            open: [
                (
                    12,
                    tstate(
                        tgid: 10, offTs: W + 4 * ms, offState: .preempted,
                        waiting: true, waitTs: W + 4 * ms)
                )
            ])
        let t = try #require(a.threads[12])
        #expect(a.span(of: t) == (W + 4 * ms, end))
        #expect(t.onCore + t.offCore == 6 * ms)
        #expect(t.runnableWait == 6 * ms)
        #expect(t.exit == nil)
        #expect(a.report(meta()).target.threads.first?.exited == false)
    }

    @Test("comm: from NEW_THREAD, EXIT only if still unnamed, EXEC always renames")
    func commSources() throws {
        let a = Window(windowStart: W)
        a.addThread(tid: 1, tgid: 1, comm: "sh")
        a.fold([
            Record(kind: .exec, ts: W + 1 * ms, tid: 1, tgid: 1, comm: "make"),
            // first sight through a slice: no name yet, EXIT supplies it
            Record(kind: .slice, ts: W + 2 * ms, start: W + 1 * ms, dur: 1 * ms, tid: 2, tgid: 1),
            Record(kind: .exit, ts: W + 2 * ms, tid: 2, tgid: 1, comm: "cc1"),
            Record(kind: .newThread, ts: W + 3 * ms, tid: 3, tgid: 1, comm: "ld"),
            Record(kind: .exec, ts: W + 4 * ms, tid: 3, tgid: 1, comm: "ld.gold"),
        ])
        #expect(a.threads[1]?.comm == "make")
        #expect(a.threads[2]?.comm == "cc1")
        #expect(a.threads[3]?.comm == "ld.gold")
        #expect(a.threads[3]?.birth == W + 3 * ms)
        // EXEC is not a birth.
        #expect(a.threads[1]?.birth == nil)
    }

    @Test("addThread does not overwrite a thread already seen")
    func addThreadIdempotent() {
        let a = Window(windowStart: W)
        a.addThread(tid: 1, tgid: 1, comm: "first")
        a.fold(Record(kind: .slice, ts: W + 1 * ms, start: W, dur: 1 * ms, tid: 1, tgid: 1))
        a.addThread(tid: 1, tgid: 1, comm: "second")
        #expect(a.threads[1]?.comm == "first")
        #expect(a.threads[1]?.onCore == 1 * ms)
    }

    @Test("an empty window: every number zero, four off-core states, no tables")
    func emptyReport() throws {
        let a = Window(windowStart: W)
        a.close(at: end, open: [])
        let r = a.report(meta(lostEvents: 3))
        #expect(r.window.startNs == W && r.window.endNs == end && r.window.durationNs == 10 * ms)
        #expect(r.window.cpusSeen.isEmpty)
        for s in [r.onCore, r.offCore, r.runnableWait] {
            #expect(s.totalNs == 0 && s.count == 0 && s.minNs == 0 && s.maxNs == 0 && s.avgNs == 0)
            #expect(s.p50Ns == 0 && s.p99Ns == 0 && s.pct == 0)
            #expect(s.hist.isEmpty)
        }
        #expect(
            Set(try #require(r.offCore.byState).states.map(\.name)) == ["preempted", "sleeping", "blocked", "other"])
        #expect(r.onCore.byState == nil && r.runnableWait.byState == nil)
        #expect(r.thieves.isEmpty && r.irqs.isEmpty && r.softirqs.isEmpty && r.systemVectors.isEmpty)
        #expect(
            r.migrations
                == Report.Migrations(
                    count: 0, atWakeup: 0, whileQueued: 0, whileRunning: 0,
                    byDistance: .init(sameCore: 0, sameLLC: 0, otherLLC: 0, otherNode: 0)))
        #expect(r.wakers == [] && r.cpus == [])
        #expect(r.lostEvents == 3)
        #expect(r.records == 0)
        #expect(r.schema == 1 && r.tool == "thief")
    }

    @Test("hist spans the first to the last non-empty bucket, zeros in between")
    func histSpan() throws {
        let a = Window(windowStart: W)
        a.fold([
            Record(kind: .slice, ts: W + 1 * ms, start: W, dur: 1_500, tid: 1, tgid: 1),  // bucket 1
            Record(kind: .slice, ts: W + 2 * ms, start: W, dur: 5_000, tid: 1, tgid: 1),  // bucket 3
            Record(kind: .slice, ts: W + 3 * ms, start: W, dur: 6_000, tid: 1, tgid: 1),  // bucket 3
        ])
        a.close(at: end, open: [])
        let h = a.report(meta()).onCore.hist
        #expect(
            h == [
                Report.Bucket(lowNs: 1_000, highNs: 2_000, count: 1),
                Report.Bucket(lowNs: 2_000, highNs: 4_000, count: 0),
                Report.Bucket(lowNs: 4_000, highNs: 8_000, count: 2),
            ])
    }
}
