import Testing

@testable import ThiefCore

/// Hard IRQs, softirqs, system vectors and migrations.
@Suite("Interrupts and migrations")
struct InterruptsAndMigrationsTests {
    /// An IRQ record whose span (ts - start) is wider than its own time `dur`:
    /// nested handlers are excluded kernel-side.
    static func irq(_ kind: IRQKind, _ number: UInt32, dur: UInt64, at t: UInt64, comm: String = "") -> Record {
        Record(
            kind: .irq, ts: W + t, start: W + t - 3 * dur, dur: dur, cpu: 0, aux: kind.rawValue,
            tid: 10, tgid: 10, otherPid: number, comm: comm)
    }

    @Test("hard IRQ: name from comm, number from other_pid; sums dur, not ts - start")
    func hardIRQ() throws {
        let a = Window(windowStart: W)
        a.fold([
            Self.irq(.hard, 42, dur: 3_000, at: 1 * ms, comm: "nvme0q1"),
            Self.irq(.hard, 42, dur: 5_000, at: 2 * ms, comm: "nvme0q1"),
            Self.irq(.hard, 42, dur: 7_000, at: 3 * ms, comm: "nvme0q1"),
        ])
        a.close(at: W + 10 * ms, open: [])
        let r = a.report(meta())
        #expect(r.irqs.count == 1)
        let i = try #require(r.irqs.first)
        #expect(i.irq == 42)
        #expect(i.vector == nil)
        #expect(i.name == "nvme0q1")
        #expect(i.count == 3)
        #expect(i.totalNs == 15_000)
        #expect(i.minNs == 3_000)
        #expect(i.avgNs == 5_000)
        #expect(i.maxNs == 7_000)
        #expect(r.softirqs.isEmpty && r.systemVectors.isEmpty)
        // An interrupt is neither a slice nor a thread of its own.
        #expect(a.time.onCore.count == 0)
    }

    @Test("softirq: vector name from SoftIRQ.names")
    func softirq() throws {
        let a = Window(windowStart: W)
        a.fold([
            Self.irq(.soft, 1, dur: 1_000, at: 1 * ms),
            Self.irq(.soft, 1, dur: 2_000, at: 2 * ms),
            Self.irq(.soft, 3, dur: 10_000, at: 3 * ms),
            Self.irq(.soft, 12, dur: 100, at: 4 * ms),
        ])
        a.close(at: W + 10 * ms, open: [])
        let r = a.report(meta())
        #expect(r.softirqs.map(\.name) == ["NET_RX", "TIMER", "VEC12"])
        #expect(r.softirqs.map(\.vector) == ["NET_RX", "TIMER", "VEC12"])
        #expect(r.softirqs.allSatisfy { $0.irq == nil })
        let timer = try #require(r.softirqs.first { $0.name == "TIMER" })
        #expect(timer.count == 2)
        #expect(timer.totalNs == 3_000)
        #expect(timer.minNs == 1_000)
        #expect(timer.avgNs == 1_500)
        #expect(timer.maxNs == 2_000)
        #expect(r.irqs.isEmpty)
    }

    @Test("system vector: name from SystemVector.names")
    func systemVector() throws {
        let a = Window(windowStart: W)
        a.fold([
            Self.irq(.systemVector, 0, dur: 1_500, at: 1 * ms),
            Self.irq(.systemVector, 0, dur: 2_500, at: 2 * ms),
            Self.irq(.systemVector, 1, dur: 700, at: 3 * ms),
        ])
        a.close(at: W + 10 * ms, open: [])
        let r = a.report(meta())
        #expect(r.systemVectors.map(\.name) == ["local_timer", "reschedule"])
        let lt = try #require(r.systemVectors.first)
        #expect(lt.count == 2 && lt.totalNs == 4_000 && lt.minNs == 1_500 && lt.avgNs == 2_000 && lt.maxNs == 2_500)
        #expect(r.irqs.isEmpty && r.softirqs.isEmpty)
    }

    @Test("the same number in different kinds are different sources")
    func kindsAreSeparate() {
        let a = Window(windowStart: W)
        a.fold([
            Self.irq(.hard, 1, dur: 1_000, at: 1 * ms, comm: "i8042"),
            Self.irq(.soft, 1, dur: 2_000, at: 2 * ms),
            Self.irq(.systemVector, 1, dur: 3_000, at: 3 * ms),
        ])
        a.close(at: W + 10 * ms, open: [])
        let r = a.report(meta())
        #expect(r.irqs.map(\.name) == ["i8042"])
        #expect(r.softirqs.map(\.name) == ["TIMER"])
        #expect(r.systemVectors.map(\.name) == ["reschedule"])
    }

    @Test("IRQs sorted by total time, descending")
    func irqOrder() {
        let a = Window(windowStart: W)
        a.fold([
            Self.irq(.hard, 10, dur: 1_000, at: 1 * ms, comm: "a"),
            Self.irq(.hard, 11, dur: 9_000, at: 2 * ms, comm: "b"),
            Self.irq(.hard, 12, dur: 4_000, at: 3 * ms, comm: "c"),
            Self.irq(.hard, 12, dur: 4_000, at: 4 * ms, comm: "c"),
        ])
        a.close(at: W + 10 * ms, open: [])
        #expect(a.report(meta()).irqs.map(\.irq) == [11, 12, 10])
    }

    @Test("migrations by kind: aux 0/1/2 = at wakeup / while queued / while running")
    func migrationKinds() {
        let a = Window(windowStart: W)
        func mig(_ tid: UInt32, _ aux: UInt32, _ t: UInt64) -> Record {
            Record(kind: .migrate, ts: W + t, aux: aux, tid: tid, tgid: 10, otherPid: 0, otherTgid: 1)
        }
        a.fold([
            mig(10, 0, 1 * ms), mig(10, 0, 2 * ms), mig(11, 0, 3 * ms),
            mig(10, 1, 4 * ms),
            mig(11, 2, 5 * ms), mig(11, 2, 6 * ms), mig(11, 2, 7 * ms),
        ])
        #expect(a.migrations.byKind == [3, 1, 3])
        #expect(a.threads[10]?.migrations == 3)
        #expect(a.threads[11]?.migrations == 4)
        a.close(at: W + 10 * ms, open: [])
        let m = a.report(meta()).migrations
        // No topology: every distance is unknown, and the sum still holds.
        #expect(
            m
                == Report.Migrations(
                    count: 7, atWakeup: 3, whileQueued: 1, whileRunning: 3,
                    byDistance: .init(sameCore: 0, sameLLC: 0, otherLLC: 0, otherNode: 0, unknown: 7)))
        #expect(a.report(meta()).target.threads.map(\.migrations) == [3, 4])
    }

    @Test("migrations by distance: SMT sibling, same LLC, other LLC, other node; they sum to the count")
    func migrationDistances() {
        let a = Window(windowStart: W)
        a.topology = Topology(cpus: [
            .init(cpu: 0, core: 0, package: 0, siblings: [0, 1], llc: 0, node: 0),
            .init(cpu: 1, core: 0, package: 0, siblings: [0, 1], llc: 0, node: 0),
            .init(cpu: 2, core: 1, package: 0, siblings: [2], llc: 0, node: 0),
            .init(cpu: 3, core: 2, package: 0, siblings: [3], llc: 3, node: 0),
            .init(cpu: 4, core: 0, package: 1, siblings: [4], llc: 4, node: 1),
        ])
        let moves: [(UInt32, UInt32)] = [(0, 1), (1, 0), (0, 2), (2, 3), (3, 4), (4, 0), (0, 9), (5, 5)]
        a.fold(
            moves.enumerated().map { i, m in
                Record(kind: .migrate, ts: W + UInt64(i) * ms, tid: 10, tgid: 10, otherPid: m.0, otherTgid: m.1)
            })
        a.close(at: W + 10 * ms, open: [])
        let m = a.report(meta()).migrations
        #expect(m.byDistance == .init(sameCore: 2, sameLLC: 1, otherLLC: 1, otherNode: 2, unknown: 2))
        #expect(m.byDistance?.total == m.count)
    }
}
