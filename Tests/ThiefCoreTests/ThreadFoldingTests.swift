import Testing

@testable import ThiefCore

/// Exited threads folded into one account per process (`Threads.fold`):
/// the same stream with and without folding gives the same numbers.
@Suite("Threads: exited threads folded per process")
struct ThreadFoldingTests {
    static let end = W + 5_000 * ms

    /// Two processes: long-lived main threads (100, 300) and, every 10 ms,
    /// a thread of 100 (or of 300, every fourth) that is born, waits, runs,
    /// sleeps, runs again (contended, while 100 waits), is stolen from,
    /// migrates and exits 6 ms later. 300's main thread has no name: its row
    /// is named after its lowest named thread, which is folded by the end.
    static func stream() -> [Record] {
        var out: [Record] = []
        for i in 0..<480 {
            let t0 = W + 10 * ms + UInt64(i) * 10 * ms
            let tgid: UInt32 = i % 4 == 3 ? 300 : 100
            let tid = UInt32(1_000 + i)
            out += thread(tid, tgid, born: t0, comm: i % 5 == 0 ? "" : "w\(i % 7)")
        }
        for k in 0..<50 {
            let t = W + UInt64(k) * 100 * ms + 5 * ms
            out.append(Record(kind: .slice, ts: t + 2 * ms, start: t, dur: 2 * ms, cpu: 0, tid: 100, tgid: 100))
            out.append(Record(kind: .offCore, ts: t + 3 * ms, start: t + 2 * ms, aux: 1, tid: 100, tgid: 100))
        }
        return out.sorted { $0.ts < $1.ts }
    }

    static func thread(_ tid: UInt32, _ tgid: UInt32, born t0: UInt64, comm: String) -> [Record] {
        let waits = WaitCauses.Measured(targets: 100 * us, idle: 50 * us, steal: 0, throttled: 0, known: true)
        return [
            Record(kind: .newThread, ts: t0, tid: tid, tgid: tgid, otherPid: tgid, comm: comm),
            Record(kind: .offCore, ts: t0 + 1 * ms, start: t0, cpu: 1, aux: 0, tid: tid, tgid: tgid),
            Record(.wait(WaitEnded(tid: tid, tgid: tgid, cpu: 1, queueCPU: 1, start: t0, end: t0 + ms, causes: waits))),
            Record(kind: .steal, ts: t0 + 1 * ms, dur: 300 * us, cpu: 1, tid: tid, tgid: 0, otherPid: 9, otherTgid: 9),
            Record(
                kind: .slice, ts: t0 + 3 * ms, start: t0 + 1 * ms, dur: 2 * ms, cpu: 1, aux: 1, tid: tid, tgid: tgid),
            Record(kind: .migrate, ts: t0 + 4 * ms, aux: 0, tid: tid, tgid: tgid, otherPid: 1, otherTgid: 0),
            Record(kind: .offCore, ts: t0 + 4 * ms, start: t0 + 3 * ms, cpu: 0, aux: 1, tid: tid, tgid: tgid),
            Record(
                .slice(
                    SliceEnded(
                        tid: tid, tgid: tgid, cpu: 0, start: t0 + 4 * ms, end: t0 + 6 * ms, ran: 2 * ms, next: .other,
                        contended: 1 * ms, waiter: 100))),
            Record(kind: .exit, ts: t0 + 6 * ms, tid: tid, tgid: tgid, comm: comm),
        ]
    }

    static func run(folding: Bool, interval: UInt64? = nil) -> [Report] {
        let s = Session(runStart: W, interval: interval)
        if !folding { s.foldThreadsAfter = nil }
        s.addThread(tid: 100, tgid: 100, comm: "main", state: .sleeping)
        s.addThread(tid: 300, tgid: 300, comm: "", state: .sleeping)
        var reports: [Report] = []
        s.onInterval = { w, _ in reports.append(w.report(meta())) }
        for r in stream() { s.fold(r) }
        let (last, _) = s.finish(
            at: end, open: [(100, tstate(tgid: 100, offTs: W, offState: .sleeping)), (300, tstate(tgid: 300))])
        return reports + [last.report(meta())]
    }

    /// Everything but the per-thread rows (and the contention rows, per thread too).
    static func totals(_ r: Report) -> Report {
        var r = r
        r.target.threads = []
        r.contention = nil
        return r
    }

    @Test("the report's totals, shares and process rows are the same with and without folding")
    func sameTotals() throws {
        let folded = Self.run(folding: true), plain = Self.run(folding: false)
        let f = try #require(folded.first), p = try #require(plain.first)
        #expect(Self.totals(f) == Self.totals(p))
        #expect(p.target.threads.count == 482)
        // Folded: the main threads, the threads that exited in the last second, one row per process.
        let rows = f.target.threads.filter { $0.threadsFolded != nil }
        #expect(rows.map(\.tgid) == [100, 300] && rows.allSatisfy { $0.tid == 0 && $0.exited })
        #expect(rows.map { $0.comm } == [FoldedThreads.comm, FoldedThreads.comm])
        #expect(f.target.threads.count < 110)
        #expect(rows.reduce(0) { $0 + $1.threadsFolded! } + f.target.threads.count - 2 == 482)
        // Every per-thread sum over the rows, and the thread time (the rows' spans), is unchanged.
        func sums(_ r: Report) -> [UInt64] {
            let t = r.target.threads
            return [
                t.reduce(0) { $0 + $1.onCoreNs }, t.reduce(0) { $0 + $1.offCoreNs }, t.reduce(0) { $0 + $1.slices },
                t.reduce(0) { $0 + $1.runnableWaitNs }, t.reduce(0) { $0 + $1.migrations },
                t.reduce(0) { $0 + ($1.endNs - $1.startNs) }, t.reduce(0) { $0 + ($1.byCause?.targetsNs ?? 0) },
                t.reduce(0) { $0 + ($1.byCause?.idleNs ?? 0) }, t.reduce(0) { $0 + ($1.byCause?.tasksNs ?? 0) },
            ]
        }
        #expect(sums(f) == sums(p))
        #expect(f.target.processes == p.target.processes && f.target.processes?.map(\.comm) == ["main", "w3"])
        let contention = { (r: Report) in r.contention?.reduce(UInt64(0)) { $0 + $1.stolenNs } }
        #expect(contention(f) == contention(p) && (f.contention?.count ?? 0) < 110)
    }

    @Test("in interval mode every interval's totals are the same, and no folded row is inherited")
    func intervals() {
        let folded = Self.run(folding: true, interval: 2_000 * ms),
            plain = Self.run(folding: false, interval: 2_000 * ms)
        #expect(folded.count == 3 && plain.count == 3)
        for (i, (f, p)) in zip(folded, plain).enumerated() {
            #expect(Self.totals(f) == Self.totals(p))
            // The same threads, live or folded: none carried over from an earlier interval.
            let n = f.target.threads.reduce(0) { $0 + ($1.threadsFolded ?? 1) }
            #expect(n == p.target.threads.count, "\(f.target.threads.count) \(p.target.threads.count)")
            // The last interval (1 s) ends before its exits are a second old.
            #expect(
                i == 2 || f.target.threads.count < p.target.threads.count * 3 / 5,
                "\(f.target.threads.count) \(p.target.threads.count)")
        }
    }
}
