import CThiefABI
import Testing

@testable import ThiefCore

@Suite("Wakers")
struct WakersTests {
    static func wakeup(
        tid: UInt32 = 10, cpu: UInt16 = 0, waking: UInt64, end: UInt64, pid: UInt32, comm: String = "w",
        wakerCPU: UInt16 = 0, context: Waker.Context = .task
    ) -> Event {
        .wakeup(
            Wakeup(
                tid: tid, tgid: 10, cpu: cpu, waking: waking, end: end,
                waker: Waker(pid: pid, tgid: pid, comm: Comm(comm), kthread: false, context: context, cpu: wakerCPU)))
    }

    @Test("IRQ-context wake-ups group by context, whatever task they interrupted")
    func irqGrouping() {
        var w = Wakers()
        let span = WindowSpan(start: W, runStart: W)
        for pid: UInt32 in [5, 6, 7] {
            w.consume(Self.wakeup(waking: W, end: W + us, pid: pid, context: .hardIRQ), in: span)
        }
        w.consume(Self.wakeup(waking: W, end: W + us, pid: 5, context: .softIRQ), in: span)
        w.consume(Self.wakeup(waking: W, end: W + us, pid: 5, comm: "writer"), in: span)
        let s = w.section(SectionContext(start: W, end: W, threadTime: 0))
        #expect(s.map(\.comm) == ["[hardirq]", "[softirq]", "writer"])
        #expect(s.map(\.count) == [3, 1, 1])
        #expect(s.map(\.pid) == [0, 0, 5])
        // No topology: only the same CPU is known.
        #expect(s.allSatisfy { $0.sameCPU == 1 || $0.sameCPU == 3 } && s.allSatisfy { $0.unknown == nil })
    }

    @Test("a fold keeps the wakers that woke most and sums the rest exactly into (others)")
    func fold() throws {
        var w = Wakers(keep: 2)
        let span = WindowSpan(start: W, runStart: W)
        var total: UInt64 = 0, count: UInt64 = 0
        // Waker p wakes p times with latency p µs, on another CPU (unknown without topology).
        for p: UInt32 in 1...6 {
            for _ in 0..<p {
                w.consume(Self.wakeup(cpu: 1, waking: W, end: W + UInt64(p) * us, pid: p, wakerCPU: 0), in: span)
                total += UInt64(p) * us
                count += 1
            }
        }
        #expect(w.count <= 4)
        let s = w.section(SectionContext(start: W, end: W, threadTime: 0))
        #expect(s.reduce(0) { $0 + $1.count } == count)
        #expect(s.reduce(0) { $0 + $1.totalNs } == total)
        #expect(s.reduce(0) { $0 + ($1.unknown ?? 0) } == count)
        let others = try #require(s.first { $0.comm == Wakers.othersName })
        #expect(others.pid == 0)
        #expect(s.first?.pid == 6)
        #expect(s.map(\.count) == s.map(\.count).sorted(by: >))
    }

    @Test("wake-up latency percentiles from the compact histogram, within its precision")
    func percentiles() throws {
        var w = Wakers()
        let span = WindowSpan(start: W, runStart: W)
        for i: UInt64 in 1...1000 { w.consume(Self.wakeup(waking: W, end: W + i * us, pid: 1), in: span) }
        let r = try #require(w.section(SectionContext(start: W, end: W, threadTime: 0)).first)
        #expect(r.count == 1000 && r.maxNs == 1000 * us && r.totalNs == 500_500 * us)
        #expect(abs(Double(r.p50Ns) - 500_000) / 500_000 < 0.07)
        #expect(abs(Double(r.p99Ns) - 990_000) / 990_000 < 0.07)
    }

    @Test("with intervals, each interval has the wake-ups that ended in it")
    func intervals() {
        let s = Session(runStart: W, interval: 10 * ms)
        var reports: [Report] = []
        s.onInterval = { w, _ in reports.append(w.report(meta())) }
        for t: UInt64 in [1, 9, 11, 25] {
            s.fold(Record(Self.wakeup(waking: W + (t - 1) * ms, end: W + t * ms, pid: 3)))
        }
        let (last, _) = s.finish(at: W + 30 * ms, open: [] as [(tid: UInt32, state: thief_tstate)])
        reports.append(last.report(meta()))
        #expect(reports.map { $0.wakers?.first?.count ?? 0 } == [2, 1, 1])
    }
}
