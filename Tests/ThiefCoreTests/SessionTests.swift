import CThiefABI
import Testing

@testable import ThiefCore

/// Interval accounting: episodes split at boundaries, and the intervals'
/// totals add up to the whole run's to the nanosecond.
@Suite("Session: intervals")
struct SessionTests {
    /// A thread that runs 7 ms, is preempted 5 ms (waiting), runs 11 ms,
    /// sleeps 13 ms, waits 2 ms after its wakeup, runs 9 ms: 47 ms in all.
    func records() -> [Record] {
        var t = W
        var out: [Record] = []
        func on(_ d: UInt64, state: OffState) {
            out.append(
                Record(kind: .slice, ts: t + d, start: t, dur: d, aux: UInt32(state.rawValue), tid: 10, tgid: 10))
            t += d
        }
        func off(_ d: UInt64, state: OffState, wait: UInt64) {
            out.append(Record(kind: .offCore, ts: t + d, start: t, aux: UInt32(state.rawValue), tid: 10, tgid: 10))
            out.append(Record(kind: .wait, ts: t + d, start: t + d - wait, tid: 10, tgid: 10))
            t += d
        }
        out.append(Record(kind: .offCore, ts: t, start: 0, aux: 0, tid: 10, tgid: 10))
        on(7 * ms, state: .preempted)
        off(5 * ms, state: .preempted, wait: 5 * ms)
        on(11 * ms, state: .sleeping)
        off(15 * ms, state: .sleeping, wait: 2 * ms)
        on(9 * ms, state: .preempted)
        out.append(
            Record(
                kind: .steal, ts: W + 12 * ms, start: W + 7 * ms, dur: 5 * ms, tid: 10, tgid: 10,
                otherPid: 77, otherTgid: 77, comm: "hog"))
        return out
    }

    func run(interval: UInt64?, end: UInt64 = W + 50 * ms) -> [Report] {
        let s = Session(runStart: W, interval: interval)
        s.addThread(tid: 10, tgid: 10, comm: "victim", state: .preempted)
        var reports: [Report] = []
        s.onInterval = { a, _ in reports.append(a.report(meta())) }
        for r in records() { s.fold(r) }
        // Preempted at 47 ms: off-core and waiting when the run ends at 50.
        let open = tstate(tgid: 10, offTs: W + 47 * ms, offState: .preempted, waiting: true, waitTs: W + 47 * ms)
        let (last, _) = s.finish(at: end, open: [(10, open)])
        reports.append(last.report(meta()))
        return reports
    }

    @Test("without an interval, one window holds every episode whole")
    func whole() throws {
        let r = try #require(run(interval: nil).first)
        #expect(r.onCore.totalNs == 27 * ms)
        #expect(r.onCore.count == 3)
        #expect(r.offCore.totalNs == 23 * ms)  // 5 + 15 + the 3 ms still open at the end
        #expect(r.runnableWait.totalNs == 10 * ms)  // 5 + 2 + the 3 ms still waiting at the end
        #expect(r.window.durationNs == 50 * ms)
    }

    @Test(
        "intervals add up to the whole run, to the nanosecond",
        arguments: [1 * ms, 3 * ms, 4 * ms, 10 * ms, 17 * ms, 49 * ms])
    func sums(interval: UInt64) throws {
        let whole = try #require(run(interval: nil).first)
        let parts = run(interval: interval)
        #expect(parts.count == Int((50 * ms + interval - 1) / interval))
        func total(_ f: (Report) -> UInt64) -> UInt64 { parts.reduce(0) { $0 + f($1) } }
        #expect(total { $0.onCore.totalNs } == whole.onCore.totalNs)
        #expect(total { $0.onCore.count } == whole.onCore.count)
        #expect(total { $0.offCore.totalNs } == whole.offCore.totalNs)
        #expect(total { $0.offCore.count } == whole.offCore.count)
        #expect(total { $0.runnableWait.totalNs } == whole.runnableWait.totalNs)
        #expect(total { $0.runnableWait.count } == whole.runnableWait.count)
        for state: OffState in [.preempted, .sleeping] {
            #expect(total { $0.offCore.byState?[state]?.totalNs ?? 0 } == whole.offCore.byState?[state]?.totalNs)
        }
        #expect(total { $0.thieves.first?.stolenNs ?? 0 } == 5 * ms)
        #expect(total { $0.records } == whole.records)
        // Every interval's own books balance: on + off = its window; its CPUs add up to its totals.
        for p in parts {
            #expect(p.onCore.totalNs + p.offCore.totalNs == p.window.durationNs)
            SessionLifecycleTests.expectCPUSums(p)
        }
        SessionLifecycleTests.expectCPUSums(whole)
    }

    @Test("a slice across a boundary is split there; it counts where it ends")
    func split() throws {
        let parts = run(interval: 10 * ms)
        // On-core: [0,7), [12,23), [38,47). Interval 0 [0,10): the first slice.
        #expect(parts[0].onCore.totalNs == 7 * ms)
        #expect(parts[0].onCore.count == 1)
        #expect(parts[1].onCore.totalNs == 8 * ms)  // [10,20): 8 ms of the 11 ms slice
        #expect(parts[1].onCore.count == 0)  // it ends later
        #expect(parts[2].onCore.totalNs == 3 * ms)  // [20,30): its last 3 ms
        #expect(parts[2].onCore.count == 1)
        #expect(parts[2].onCore.maxNs == 11 * ms)  // histograms see whole episodes
        // The 15 ms sleep [23,38) is split 7 / 8 between intervals 2 and 3.
        #expect(parts[2].offCore.byState?[.sleeping]?.totalNs == 7 * ms)
        #expect(parts[3].offCore.byState?[.sleeping]?.totalNs == 8 * ms)
    }

    @Test("late records fold into the window their timestamp belongs to")
    func tickWaitsForGrace() throws {
        let s = Session(runStart: W, interval: 10 * ms)
        var closed: [Int] = []
        s.onInterval = { _, i in closed.append(i) }
        s.fold(Record(kind: .migrate, ts: W + 11 * ms, tid: 1, tgid: 1))
        #expect(closed.isEmpty)
        s.fold(Record(kind: .migrate, ts: W + 9 * ms, tid: 1, tgid: 1))
        s.tick(now: W + 10 * ms + Session.grace + 1)
        #expect(closed == [0])
        let (last, idx) = s.finish(at: W + 15 * ms, open: [KernelOpenThread]())
        #expect(idx == 1)
        #expect(last.migrations.count == 1)
    }
}

/// The tracker's view of threads that exist at the start, are born, exit, or
/// whose records disagree with the time closed intervals already took.
@Suite("Session: thread lifecycles across intervals")
struct SessionLifecycleTests {
    static let sleeping = UInt32(OffState.sleeping.rawValue)
    static let preempted = UInt32(OffState.preempted.rawValue)

    struct Run {
        var parts: [Report]
        var whole: Report
    }

    /// Runs `feed` once as a whole run and once with `interval`.
    static func run(
        interval: UInt64, end: UInt64, seeds: [(UInt32, OffState)],
        open: [(tid: UInt32, state: thief_tstate)], untouched: [UInt32: UInt64] = [:],
        _ feed: (Session) -> Void
    ) -> Run {
        func one(_ iv: UInt64?) -> [Report] {
            let s = Session(runStart: W, interval: iv)
            for (tid, st) in seeds { s.addThread(tid: tid, tgid: 10, comm: "t\(tid)", state: st) }
            var out: [Report] = []
            s.onInterval = { a, _ in out.append(a.report(meta(pid: 10))) }
            feed(s)
            let (last, _) = s.finish(at: end, open: open, untouchedOnCore: untouched)
            out.append(last.report(meta(pid: 10)))
            return out
        }
        return Run(parts: one(interval), whole: one(nil)[0])
    }

    /// Per CPU, on-core and runnable wait add up to the report's totals exactly.
    static func expectCPUSums(_ r: Report, sourceLocation: SourceLocation = #_sourceLocation) {
        let cpus = r.cpus ?? []
        #expect(
            cpus.reduce(0) { $0 + $1.onCoreNs } == r.onCore.totalNs, "per-CPU on-core", sourceLocation: sourceLocation)
        #expect(
            cpus.reduce(0) { $0 + $1.runnableWaitNs } == r.runnableWait.totalNs, "per-CPU wait",
            sourceLocation: sourceLocation)
    }

    /// The intervals add up to the whole run: process totals, states, counts and every thread's own.
    static func expectSums(_ r: Run, sourceLocation: SourceLocation = #_sourceLocation) {
        func sum(_ f: (Report) -> UInt64) -> UInt64 { r.parts.reduce(0) { $0 + f($1) } }
        #expect(sum { $0.onCore.totalNs } == r.whole.onCore.totalNs, sourceLocation: sourceLocation)
        #expect(sum { $0.offCore.totalNs } == r.whole.offCore.totalNs, sourceLocation: sourceLocation)
        #expect(sum { $0.runnableWait.totalNs } == r.whole.runnableWait.totalNs, sourceLocation: sourceLocation)
        #expect(sum { $0.onCore.count } == r.whole.onCore.count, sourceLocation: sourceLocation)
        for state in OffState.allCases {
            #expect(
                sum { $0.offCore.byState?[state]?.totalNs ?? 0 } == r.whole.offCore.byState?[state]?.totalNs ?? 0,
                "\(state)", sourceLocation: sourceLocation)
        }
        for t in r.whole.target.threads {
            func mine(_ f: (Report.ThreadReport) -> UInt64) -> UInt64 {
                r.parts.reduce(0) { acc, p in acc + (p.target.threads.first { $0.tid == t.tid }.map(f) ?? 0) }
            }
            #expect(mine(\.onCoreNs) == t.onCoreNs, "thread \(t.tid) on-core", sourceLocation: sourceLocation)
            #expect(mine(\.offCoreNs) == t.offCoreNs, "thread \(t.tid) off-core", sourceLocation: sourceLocation)
            #expect(mine(\.runnableWaitNs) == t.runnableWaitNs, "thread \(t.tid) wait", sourceLocation: sourceLocation)
        }
        for p in r.parts + [r.whole] { expectCPUSums(p, sourceLocation: sourceLocation) }
        for p in r.parts {
            #expect(
                p.target.threads.allSatisfy { $0.tgid == 10 }, "a thread of no process: \(p.target.threads.map(\.tid))",
                sourceLocation: sourceLocation)
        }
    }

    @Test("a thread that exits in interval 0 is charged nothing later, and leaves no ghost thread")
    func exitEndsEpisodes() throws {
        let r = Self.run(
            interval: 100 * ms, end: W + 500 * ms, seeds: [(10, .sleeping)],
            open: [(10, tstate(tgid: 10, running: true, onTs: W + 1 * ms))]
        ) { s in
            s.fold(Record(kind: .offCore, ts: W + 1 * ms, aux: Self.sleeping, tid: 10, tgid: 10))
            // Thread 11: born at 2 ms, runs 3..6 ms, exits (its last switch-out, then EXIT).
            s.fold(Record(kind: .newThread, ts: W + 2 * ms, tid: 11, tgid: 10, otherPid: 10, comm: "worker"))
            s.fold(Record(kind: .offCore, ts: W + 3 * ms, start: W + 2 * ms, aux: Self.preempted, tid: 11, tgid: 10))
            s.fold(Record(kind: .wait, ts: W + 3 * ms, start: W + 2 * ms, tid: 11, tgid: 10))
            s.fold(
                Record(
                    kind: .slice, ts: W + 6 * ms, start: W + 3 * ms, dur: 3 * ms,
                    aux: UInt32(OffState.other.rawValue), tid: 11, tgid: 10))
            s.fold(Record(kind: .exit, ts: W + 6 * ms, tid: 11, tgid: 10, comm: "worker"))
            // Main's migrations every 10 ms: records that close the intervals as they come.
            for t in stride(from: 10, through: 490, by: 10) {
                s.fold(Record(kind: .migrate, ts: W + UInt64(t) * ms, aux: 0, tid: 10, tgid: 10))
            }
        }
        #expect(r.parts.count == 5)
        let worker = try #require(r.parts[0].target.threads.first { $0.tid == 11 })
        #expect(worker.onCoreNs == 3 * ms)
        #expect(worker.offCoreNs == 1 * ms)
        #expect(worker.exited)
        for p in r.parts.dropFirst() {
            #expect(
                !p.target.threads.contains { $0.tid == 11 },
                "interval \(p.interval?.index ?? -1) charges the dead thread")
            #expect(p.target.threads.map(\.tid) == [10])
            #expect(p.onCore.totalNs + p.offCore.totalNs == p.window.durationNs)
        }
        Self.expectSums(r)
    }

    @Test("a thread asleep at attach whose first record comes in interval 3 is split over intervals 0…3")
    func seededSleeper() throws {
        let end = W + 1000 * ms
        let r = Self.run(
            interval: 100 * ms, end: end, seeds: [(10, .preempted), (20, .sleeping), (21, .sleeping), (22, .blocked)],
            open: [
                (10, tstate(tgid: 10, running: true, onTs: W + 1 * ms)),
                (20, tstate(tgid: 10, offTs: W + 388 * ms, offState: .sleeping, seenIn: true)),
                (21, tstate(tgid: 10, offState: .sleeping)),
                (22, tstate(tgid: 10, offState: .blocked)),
            ],
            untouched: [21: 0, 22: 30 * ms]
        ) { s in
            s.fold(Record(kind: .offCore, ts: W + 1 * ms, aux: Self.preempted, tid: 10, tgid: 10))
            for t in stride(from: 10, through: 990, by: 10) {
                s.fold(Record(kind: .migrate, ts: W + UInt64(t) * ms, aux: 0, tid: 10, tgid: 10))
                if t == 380 {
                    // Thread 20 wakes at 384 ms, runs 385..388 ms and sleeps again.
                    s.fold(Record(kind: .offCore, ts: W + 385 * ms, aux: Self.sleeping, tid: 20, tgid: 10))
                    s.fold(Record(kind: .wait, ts: W + 385 * ms, start: W + 384 * ms, tid: 20, tgid: 10))
                    s.fold(
                        Record(
                            kind: .slice, ts: W + 388 * ms, start: W + 385 * ms, dur: 3 * ms, aux: Self.sleeping,
                            tid: 20, tgid: 10))
                }
            }
        }
        #expect(r.parts.count == 10)
        for p in r.parts {
            for tid: UInt32 in [20, 21, 22] {
                let t = try #require(
                    p.target.threads.first { $0.tid == tid }, "thread \(tid) in interval \(p.interval?.index ?? -1)")
                #expect(t.offCoreNs <= p.window.durationNs, "thread \(tid) off-core beyond its interval")
                #expect(
                    t.onCoreNs + t.offCoreNs == p.window.durationNs,
                    "thread \(tid)'s books in interval \(p.interval?.index ?? -1)")
            }
        }
        // Thread 20 slept 0..385 ms: intervals 0-2 whole, 85 ms of interval 3.
        let sleeper = r.parts.map { p in p.target.threads.first { $0.tid == 20 }! }
        #expect(sleeper[0].offCoreNs == 100 * ms && sleeper[2].offCoreNs == 100 * ms)
        #expect(sleeper[3].offCoreNs == 97 * ms && sleeper[3].onCoreNs == 3 * ms)
        #expect(r.parts[0].offCore.byState?[.sleeping]?.totalNs == 200 * ms)  // threads 20 and 21
        #expect(r.parts[0].offCore.byState?[.blocked]?.totalNs == 100 * ms)  // thread 22
        // Thread 22 had no event: its 30 ms on-core (the kernel's books) go to the last interval.
        #expect(r.parts[9].target.threads.first { $0.tid == 22 }?.onCoreNs == 30 * ms)
        #expect(r.whole.target.threads.first { $0.tid == 22 }?.onCoreNs == 30 * ms)
        Self.expectSums(r)
    }

    @Test(
        "a slice whose se.sum_exec_runtime growth is less than its timestamps' span: the sums stay exact",
        arguments: [false, true])
    func shortSlice(lateRecord: Bool) throws {
        // Thread 10 runs from 5 ms. Its slice's timestamps span past the 100 ms
        // boundary, but it ran (dur) less than interval 0 already counted.
        let sliceEnd = lateRecord ? W + 100 * ms + 2 * us : W + 170 * ms
        let dur = lateRecord ? 95 * ms - 8 * us : 90 * ms
        let r = Self.run(
            interval: 100 * ms, end: W + 300 * ms, seeds: [(10, .preempted), (30, .sleeping)],
            open: [
                (10, tstate(tgid: 10, offTs: W + 250 * ms, offState: .sleeping, seenIn: true)),
                (30, tstate(tgid: 10, running: true, onTs: W + 1 * ms)),
            ]
        ) { s in
            s.fold(Record(kind: .offCore, ts: W + 1 * ms, aux: Self.sleeping, tid: 30, tgid: 10))
            s.fold(Record(kind: .offCore, ts: W + 5 * ms, aux: Self.preempted, tid: 10, tgid: 10))
            if lateRecord {
                // The record comes after interval 0 closed (a slow drain).
                s.tick(now: W + 151 * ms)
            } else {
                s.fold(Record(kind: .migrate, ts: W + 160 * ms, aux: 0, tid: 30, tgid: 10))
            }
            s.fold(
                Record(kind: .slice, ts: sliceEnd, start: W + 5 * ms, dur: dur, aux: Self.sleeping, tid: 10, tgid: 10))
            s.fold(Record(kind: .offCore, ts: W + 180 * ms, start: sliceEnd, aux: Self.sleeping, tid: 10, tgid: 10))
            s.fold(
                Record(
                    kind: .slice, ts: W + 250 * ms, start: W + 180 * ms, dur: 70 * ms, aux: Self.sleeping, tid: 10,
                    tgid: 10))
        }
        #expect(r.parts.count == 3)
        let mine = r.parts.map { p in p.target.threads.first { $0.tid == 10 }?.onCoreNs ?? 0 }
        #expect(mine[0] == 95 * ms)  // counted by timestamps as interval 0 closed
        #expect(mine.reduce(0, +) == dur + 70 * ms)
        #expect(r.whole.target.threads.first { $0.tid == 10 }?.onCoreNs == dur + 70 * ms)
        Self.expectSums(r)
    }
}
