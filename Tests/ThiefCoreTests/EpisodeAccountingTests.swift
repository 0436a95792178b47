import Testing
import ThiefCore

/// Slices, off-core intervals and runnable waits: what each record adds and
/// how episodes that began before the window are clipped.
@Suite("Episodes: slices, off-core, waits")
struct EpisodeAccountingTests {
    @Test("an exact slice counts its sum_exec delta, not ts - start")
    func exactSlice() {
        let a = Window(windowStart: W)
        a.fold(Record(kind: .slice, ts: W + 5 * ms, start: W + 1 * ms, dur: 3_990_000, cpu: 2, tid: 10, tgid: 10))
        #expect(a.time.onCore.total == 3_990_000)
        #expect(a.time.onCore.count == 1)
        #expect(a.threads[10]?.onCore == 3_990_000)
        #expect(a.threads[10]?.slices == 1)
        #expect(a.cpusSeen == [2])
    }

    @Test("a seed's off-core interval and wait that the kernel closed before the window began are no episodes")
    func seedClosedBeforeWindow() {
        // A thread running (state R) when tracing began: its seed wait and
        // off-core interval close at its switch-in, which lay before the start.
        let a = Window(windowStart: W)
        a.fold(Record(kind: .offCore, ts: W - 3 * ms, start: 0, aux: 0, tid: 10, tgid: 10))
        a.fold(Record(kind: .wait, ts: W - 3 * ms, start: 0, tid: 10, tgid: 10))
        #expect(a.time.offCore.count == 0 && a.runnableWait.waits.count == 0)
        // One that was waiting: its wait from the start is counted.
        a.fold(Record(kind: .offCore, ts: W + 2 * ms, start: 0, aux: 0, tid: 11, tgid: 10))
        a.fold(Record(kind: .wait, ts: W + 2 * ms, start: 0, tid: 11, tgid: 10))
        #expect(a.time.offCore.count == 1 && a.runnableWait.waits.count == 1)
        #expect(a.runnableWait.waits.total == 2 * ms && a.threads[11]?.runnableWait == 2 * ms)
    }

    @Test("a slice starting exactly at the window start is exact")
    func sliceAtWindowStart() {
        let a = Window(windowStart: W)
        a.fold(Record(kind: .slice, ts: W + 2 * ms, start: W, dur: 1_999_000, tid: 10, tgid: 10))
        #expect(a.time.onCore.total == 1_999_000)
    }

    @Test("a slice begun before tracing (start_ts 0) is clipped to ts - windowStart")
    func sliceStartZero() {
        let a = Window(windowStart: W)
        a.fold(Record(kind: .slice, ts: W + 2 * ms, start: 0, dur: 0, tid: 10, tgid: 10))
        #expect(a.time.onCore.total == 2 * ms)
        #expect(a.threads[10]?.onCore == 2 * ms)
    }

    @Test("a slice that started before the window ignores its dur and is clipped")
    func sliceBeforeWindow() {
        let a = Window(windowStart: W)
        // dur would be 50 ms of sum_exec; only the 3 ms inside the window count.
        a.fold(Record(kind: .slice, ts: W + 3 * ms, start: W - 47 * ms, dur: 50 * ms, tid: 10, tgid: 10))
        #expect(a.time.onCore.total == 3 * ms)
        #expect(a.time.onCore.max == 3 * ms)
    }

    @Test("a slice with no sum_exec delta (dur 0) falls back to ts - start")
    func sliceWithoutDur() {
        let a = Window(windowStart: W)
        a.fold(Record(kind: .slice, ts: W + 7 * ms, start: W + 4 * ms, dur: 0, tid: 10, tgid: 10))
        #expect(a.time.onCore.total == 3 * ms)
    }

    @Test("per-thread on-core and slice counts; CPUs seen")
    func perThreadSlices() {
        let a = Window(windowStart: W)
        a.addThread(tid: 10, tgid: 10, comm: "main")
        a.fold([
            Record(kind: .slice, ts: W + 1 * ms, start: 0, cpu: 0, tid: 10, tgid: 10),
            Record(kind: .slice, ts: W + 5 * ms, start: W + 3 * ms, dur: 1_990_000, cpu: 3, tid: 10, tgid: 10),
            Record(kind: .slice, ts: W + 4 * ms, start: W + 2 * ms, dur: 2 * ms, cpu: 1, tid: 11, tgid: 10),
        ])
        #expect(a.threads[10]?.onCore == 2_990_000)
        #expect(a.threads[10]?.slices == 2)
        #expect(a.threads[10]?.comm == "main")
        #expect(a.threads[11]?.onCore == 2 * ms)
        #expect(a.threads[11]?.slices == 1)
        #expect(a.threads[11]?.tgid == 10)
        #expect(a.time.onCore.total == 4_990_000)
        #expect(a.time.onCore.count == 3)
        #expect(a.time.onCore.min == 1 * ms)
        #expect(a.time.onCore.max == 2 * ms)
        #expect(a.cpusSeen == [0, 1, 3])
        #expect(a.records == 3)
    }

    @Test("off-core records split by state (aux 0...3); out-of-range aux is 'other'")
    func offCoreStates() throws {
        let a = Window(windowStart: W)
        a.fold([
            Record(kind: .offCore, ts: W + 2 * ms, start: W + 1 * ms, aux: 0, tid: 10, tgid: 10),  // 1 ms preempted
            Record(kind: .offCore, ts: W + 5 * ms, start: W + 3 * ms, aux: 0, tid: 10, tgid: 10),  // 2 ms preempted
            Record(kind: .offCore, ts: W + 20 * ms, start: W + 10 * ms, aux: 1, tid: 10, tgid: 10),  // 10 ms sleeping
            Record(kind: .offCore, ts: W + 30 * ms, start: W + 26 * ms, aux: 2, tid: 10, tgid: 10),  // 4 ms blocked
            Record(kind: .offCore, ts: W + 40 * ms, start: W + 35 * ms, aux: 3, tid: 10, tgid: 10),  // 5 ms other
            Record(kind: .offCore, ts: W + 50 * ms, start: W + 43 * ms, aux: 9, tid: 11, tgid: 10),  // 7 ms other
        ])
        #expect(a.time.offCore.total == 29 * ms)
        #expect(a.time.offCore.count == 6)
        #expect(a.threads[10]?.offCore == 22 * ms)
        #expect(a.threads[11]?.offCore == 7 * ms)
        // Off-core intervals are not slices.
        #expect(a.threads[10]?.slices == 0)
        #expect(a.time.onCore.count == 0)

        a.close(at: W + 50 * ms, open: [])
        let r = a.report(meta())
        let s = try #require(r.offCore.byState)
        #expect(Set(s.states.map(\.name)) == ["preempted", "sleeping", "blocked", "other"])
        #expect(s[.preempted]?.totalNs == 3 * ms)
        #expect(s[.preempted]?.count == 2)
        #expect(s[.preempted]?.maxNs == 2 * ms)
        #expect(s[.preempted]?.minNs == 1 * ms)
        #expect(s[.sleeping]?.totalNs == 10 * ms)
        #expect(s[.sleeping]?.count == 1)
        #expect(s[.blocked]?.totalNs == 4 * ms)
        #expect(s[.blocked]?.count == 1)
        #expect(s[.other]?.totalNs == 12 * ms)
        #expect(s[.other]?.count == 2)
        #expect(r.offCore.totalNs == 29 * ms)
        #expect(r.offCore.count == 6)
        // by_state totals add up to the off-core total
        #expect(s.values.reduce(0) { $0 + $1.totalNs } == r.offCore.totalNs)
        #expect(s.values.reduce(0) { $0 + $1.count } == r.offCore.count)
        // the states have no nested by_state
        #expect(s.values.allSatisfy { $0.byState == nil })
    }

    @Test("off-core begun before tracing is clipped to the window")
    func offCoreClipped() {
        let a = Window(windowStart: W)
        a.fold(Record(kind: .offCore, ts: W + 4 * ms, start: 0, aux: 1, tid: 10, tgid: 10))
        a.fold(Record(kind: .offCore, ts: W + 9 * ms, start: W - 100 * ms, aux: 2, tid: 11, tgid: 10))
        #expect(a.time.byState[OffState.sleeping.rawValue].total == 4 * ms)
        #expect(a.time.byState[OffState.blocked.rawValue].total == 9 * ms)
        #expect(a.time.offCore.total == 13 * ms)
        #expect(a.threads[10]?.offCore == 4 * ms)
        #expect(a.threads[11]?.offCore == 9 * ms)
    }

    @Test("runnable waits: totals and clipping")
    func waits() {
        let a = Window(windowStart: W)
        a.fold([
            Record(kind: .wait, ts: W + 3 * ms, start: W + 1 * ms, cpu: 0, tid: 10, tgid: 10),  // 2 ms
            Record(kind: .wait, ts: W + 10 * ms, start: W + 9_750 * us, cpu: 1, tid: 10, tgid: 10),  // 250 us
            Record(kind: .wait, ts: W + 1 * ms, start: 0, tid: 11, tgid: 10),  // 1 ms (clipped)
            Record(kind: .wait, ts: W + 500 * us, start: W - 5 * ms, tid: 12, tgid: 10),  // 500 us (clipped)
        ])
        #expect(a.runnableWait.waits.total == 3_750 * us)
        #expect(a.runnableWait.waits.count == 4)
        #expect(a.runnableWait.waits.min == 250 * us)
        #expect(a.runnableWait.waits.max == 2 * ms)
        #expect(a.threads[10]?.runnableWait == 2_250 * us)
        #expect(a.threads[11]?.runnableWait == 1 * ms)
        #expect(a.threads[12]?.runnableWait == 500 * us)
        // Waits are neither on-core nor off-core by themselves.
        #expect(a.time.onCore.count == 0 && a.time.offCore.count == 0)
    }

    @Test("an episode ending before it starts counts zero, not a wrapped UInt64")
    func inverted() {
        let a = Window(windowStart: W)
        a.fold(Record(kind: .offCore, ts: W + 1 * ms, start: W + 2 * ms, tid: 10, tgid: 10))
        a.fold(Record(kind: .wait, ts: W - 1 * ms, start: 0, tid: 10, tgid: 10))
        #expect(a.time.offCore.total == 0)
        #expect(a.runnableWait.waits.total == 0)
    }

    @Test("unknown and short records are counted, not folded")
    func unknownRecords() {
        let a = Window(windowStart: W)
        var r = Record(kind: .slice, ts: W + 1 * ms, start: W, dur: 1 * ms, tid: 10, tgid: 10)
        r.type = 77
        a.fold(r)
        let short = [UInt8](repeating: 0, count: 40)
        short.withUnsafeBytes { a.fold(bytes: $0.baseAddress!, count: $0.count) }
        #expect(a.unknownRecords == 2)
        #expect(a.time.onCore.count == 0)
        #expect(a.threads.isEmpty)

        var good = Record(kind: .slice, ts: W + 1 * ms, start: W, dur: 1 * ms, tid: 10, tgid: 10)
        withUnsafeBytes(of: &good) { a.fold(bytes: $0.baseAddress!, count: $0.count) }
        #expect(a.time.onCore.total == 1 * ms)
        #expect(a.records == 2)
    }
}
