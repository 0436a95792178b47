import CThiefABI
import Testing

@testable import ThiefCore

/// On-core (the kernel's se.sum_exec_runtime) plus off-core (timestamps)
/// equals each thread's time in the window exactly: the kernel's clock wins
/// and the next off-core interval starts where it ended the slice
/// (ARCHITECTURE.md, "Two clocks").
@Suite("Thread time: on-core + off-core = the thread's window")
struct ThreadTimeBalanceTests {
    static let us: UInt64 = 1_000

    static func slice(_ tid: UInt32, _ start: UInt64, _ end: UInt64, ran: UInt64) -> Record {
        Record(.slice(SliceEnded(tid: tid, tgid: 10, cpu: 0, start: start, end: end, ran: ran, next: .sleeping)))
    }

    static func off(_ tid: UInt32, _ start: UInt64, _ end: UInt64) -> Record {
        Record(.offCore(OffCoreEnded(tid: tid, tgid: 10, cpu: 0, start: start, end: end, state: .sleeping)))
    }

    static func exit(_ tid: UInt32, _ at: UInt64) -> Record {
        Record(.threadExit(ThreadChange(tid: tid, tgid: 10, time: at, parent: 0, comm: Comm("t"))))
    }

    /// Every thread row of every report: on + off == end - start.
    static func expectBalanced(_ reports: [Report], _ what: String) {
        for r in reports {
            for t in r.target.threads {
                #expect(
                    t.onCoreNs &+ t.offCoreNs == t.endNs - t.startNs,
                    "\(what): tid \(t.tid) on \(t.onCoreNs) + off \(t.offCoreNs) vs window \(t.endNs - t.startNs)")
            }
            #expect(r.onCore.totalNs == r.target.threads.sum(\.onCoreNs), "\(what): on-core is the threads' sum")
            #expect(r.offCore.totalNs == r.target.threads.sum(\.offCoreNs), "\(what): off-core is the threads' sum")
        }
    }

    @Test("slices longer and shorter by the kernel's clock, an off-core interval shorter than the difference, an exit")
    func handMade() {
        let s = Session(runStart: W)
        s.addThread(tid: 10, tgid: 10, comm: "t", state: .sleeping)
        let records = [
            Self.off(10, 0, W + ms),
            Self.slice(10, W + ms, W + 3 * ms, ran: 2 * ms + 3 * Self.us),  // 3 µs longer by the books
            Self.off(10, W + 3 * ms, W + 5 * ms),
            Self.slice(10, W + 5 * ms, W + 6 * ms, ran: ms - 5 * Self.us),  // 5 µs shorter
            Self.off(10, W + 6 * ms, W + 6 * ms + Self.us),
            Self.slice(10, W + 6 * ms + Self.us, W + 7 * ms, ran: ms - Self.us + 10 * Self.us),  // 10 µs longer
            Self.off(10, W + 7 * ms, W + 7 * ms + 2 * Self.us),  // absorbs 2 µs of them: 8 µs still ahead
            Self.slice(10, W + 7 * ms + 2 * Self.us, W + 8 * ms, ran: ms - 2 * Self.us),
            Self.exit(10, W + 8 * ms),
        ]
        for r in records { s.fold(r) }
        let (w, _) = s.finish(at: W + 10 * ms, open: [KernelOpenThread]())
        let r = w.report(meta())
        let t = r.target.threads[0]
        // The books' on-core, to the ns; the exit where the kernel's clock ended the last slice.
        let ran: [UInt64] = [2 * ms + 3 * Self.us, ms - 5 * Self.us, ms + 9 * Self.us, ms - 2 * Self.us]
        #expect(t.onCoreNs == ran.reduce(0, +))
        #expect(t.endNs == W + 8 * ms + 8 * Self.us)
        Self.expectBalanced([r], "hand-made")
    }

    /// The 10,000-thread live test's main thread, once under load: its last
    /// slice ran longer by the books than what was left of the run after
    /// it, so no off-core interval could absorb the difference.
    @Test(
        "ahead by more than is left of the run: the row ends where the kernel's clock ended the slice",
        arguments: [nil, ms] as [UInt64?])
    func aheadAtTheEnd(interval: UInt64?) {
        let end = W + 3 * ms
        let s = Session(runStart: W, interval: interval)
        for tid: UInt32 in 10...11 { s.addThread(tid: tid, tgid: 10, comm: "t", state: .sleeping) }
        let records = [
            Self.off(10, 0, W + ms), Self.off(11, 0, W + ms),
            // 10: 50 µs longer by the books, asleep from 20 µs before the end.
            Self.slice(10, W + ms, end - 20 * Self.us, ran: 2 * ms - 20 * Self.us + 50 * Self.us),
            // 11: 50 µs longer, 5 µs off-core, running from 10 µs before the end.
            Self.slice(11, W + ms, end - 15 * Self.us, ran: 2 * ms - 15 * Self.us + 50 * Self.us),
            Self.off(11, end - 15 * Self.us, end - 10 * Self.us),
        ]
        var reports: [Report] = []
        s.onInterval = { w, _ in reports.append(w.report(meta())) }
        for r in records { s.fold(r) }
        let (last, _) = s.finish(
            at: end,
            open: [
                (10, tstate(tgid: 10, offTs: end - 20 * Self.us, offState: .sleeping)),
                (11, tstate(tgid: 10, running: true, onTs: end - 10 * Self.us)),
            ])
        reports.append(last.report(meta()))
        Self.expectBalanced(reports, "interval \(interval.map(String.init) ?? "none")")
        let rows = reports.last!.target.threads
        // The books' on-core; the rows end 30 and 35 µs past the run.
        let on = { (tid: UInt32) in reports.reduce(0) { $0 + $1.target.threads.first { $0.tid == tid }!.onCoreNs } }
        #expect(on(10) == 2 * ms + 30 * Self.us && on(11) == 2 * ms + 35 * Self.us)
        #expect(rows.map(\.endNs) == [end + 30 * Self.us, end + 35 * Self.us])
    }

    @Test("an exit moved by the kernel's clock past the run's end: the row ends at the exit")
    func exitPastTheEnd() {
        let end = W + 2 * ms
        let s = Session(runStart: W)
        s.addThread(tid: 10, tgid: 10, comm: "t", state: .sleeping)
        for r in [
            Self.off(10, 0, W + ms), Self.slice(10, W + ms, end - 20 * Self.us, ran: ms + 30 * Self.us),
            Self.exit(10, end - 20 * Self.us),
        ] { s.fold(r) }
        let (w, _) = s.finish(at: end, open: [KernelOpenThread]())
        let r = w.report(meta())
        Self.expectBalanced([r], "exit")
        #expect(r.target.threads[0].endNs == end + 30 * Self.us)
    }

    @Test("more than maxAhead longer by the books (a crafted recording): the slice counts what is carried")
    func beyondMaxAhead() {
        let s = Session(runStart: W)
        s.addThread(tid: 10, tgid: 10, comm: "t", state: .sleeping)
        let over = UInt64(Timeline.maxAhead)
        for r in [Self.off(10, 0, W + ms), Self.slice(10, W + ms, W + 2 * ms, ran: ms + 3 * over)] { s.fold(r) }
        let (w, _) = s.finish(
            at: W + 10 * ms, open: [(10, tstate(tgid: 10, offTs: W + 2 * ms, offState: .sleeping))])
        let r = w.report(meta())
        Self.expectBalanced([r], "crafted")
        #expect(r.target.threads[0].onCoreNs == ms + over)
    }

    @Test("random threads, by the kernel's clock off by up to ±30 µs a slice, one window and intervals (seeded)")
    func random() {
        var rng = SplitMix64(seed: 0x7e11_7a1e)
        for round in 0..<60 {
            var records: [Record] = []
            var open: [(tid: UInt32, state: thief_tstate)] = []
            let end = W + 100 * ms
            for tid: UInt32 in 10..<14 {
                var t = W
                records.append(Self.off(tid, 0, t + UInt64.random(in: 0...ms, using: &rng)))
                t = records.last!.ts
                while true {
                    let len = UInt64.random(in: 1...(3 * ms), using: &rng)
                    guard t + len + 3 * ms < end else {
                        // Still running at the end, or off-core since a last slice.
                        if Bool.random(using: &rng) {
                            open.append((tid, tstate(tgid: 10, running: true, onTs: t)))
                        } else {
                            records.append(Self.slice(tid, t, t + 100 * Self.us, ran: 100 * Self.us + 7 * Self.us))
                            open.append((tid, tstate(tgid: 10, offTs: t + 100 * Self.us, offState: .sleeping)))
                        }
                        break
                    }
                    let skew = Int64.random(in: -30_000...30_000, using: &rng)
                    let ran = UInt64(max(1, Int64(len) + skew))
                    records.append(Self.slice(tid, t, t + len, ran: ran))
                    t += len
                    if tid == 13, Int.random(in: 0..<8, using: &rng) == 0 {
                        records.append(Self.exit(tid, t))
                        break
                    }
                    let gap = UInt64.random(in: 0...(2 * ms), using: &rng) / (Bool.random(using: &rng) ? 1 : 1000)
                    records.append(Self.off(tid, t, t + gap))
                    t += gap
                }
            }
            records.sort { $0.ts < $1.ts }
            for interval: UInt64? in [nil, 7 * ms] {
                let s = Session(runStart: W, interval: interval)
                for tid: UInt32 in 10..<14 { s.addThread(tid: tid, tgid: 10, comm: "t", state: .sleeping) }
                var reports: [Report] = []
                s.onInterval = { w, _ in reports.append(w.report(meta())) }
                for r in records { s.fold(r) }
                let (last, _) = s.finish(at: end, open: open)
                reports.append(last.report(meta()))
                Self.expectBalanced(reports, "round \(round), interval \(interval.map(String.init) ?? "none")")
            }
        }
    }
}
