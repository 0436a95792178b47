import CThiefABI
import Foundation
import Testing

@testable import ThiefCore

/// Culprits' identities: the session-wide table, what the report says of
/// each thief, and the trailer that makes a replay say the same.
@Suite("Thieves identified")
struct IdentityTests {
    static func identity(
        _ pid: UInt32, at t: UInt64, policy: SchedPolicy = .normal, nice: Int32 = 0, rt: UInt32 = 0,
        cgroup: UInt64 = 1, cpus: (UInt64, UInt64) = (0b11, 0), count: UInt32? = nil
    ) -> TaskIdentity {
        TaskIdentity(
            pid: pid, tgid: pid, time: t, policy: policy, nice: nice, rtPriority: rt, cgroupID: cgroup,
            cpusAllowedCount: count ?? UInt32(cpus.0.nonzeroBitCount + cpus.1.nonzeroBitCount), cpusAllowed: cpus)
    }

    static func steal(_ pid: UInt32, at t: UInt64, comm: String = "spin", tgid: UInt32? = nil) -> Record {
        Record(
            kind: .steal, ts: t, start: t - 1 * ms, dur: 1 * ms, tid: 10, tgid: 10, otherPid: pid,
            otherTgid: tgid ?? pid, comm: comm)
    }

    @Test("the table keeps 16384 identities under a fork storm, the oldest dropped first")
    func bounded() {
        let table = Identities()
        for pid in UInt32(1)...20_000 { table.add(Self.identity(pid, at: W + UInt64(pid))) }
        #expect(table.count == Identities.capacity)
        #expect(table.identity(of: 1, at: .max) == nil)
        #expect(table.identity(of: 20_000 - 16_383 - 1, at: .max) == nil)
        #expect(table.identity(of: 20_000 - 16_383, at: .max) != nil)
        #expect(table.identity(of: 20_000, at: .max)?.time == W + 20_000)
        // One pid reused over and over: it keeps its newest few, and the count stays exact.
        for i in UInt64(0)..<50_000 { table.add(Self.identity(7, at: W + 100_000 + i)) }
        #expect(table.count == Identities.capacity)
        #expect(table.identity(of: 7, at: .max)?.time == W + 149_999)
    }

    @Test("a reused pid: the identity sent at or before the time asked")
    func reusedPID() {
        let table = Identities()
        table.add(Self.identity(500, at: W + 10 * ms, policy: .batch))
        table.add(Self.identity(500, at: W + 50 * ms, policy: .fifo, rt: 3))
        #expect(table.identity(of: 500, at: W + 5 * ms) == nil)
        #expect(table.identity(of: 500, at: W + 20 * ms)?.policy == .batch)
        #expect(table.identity(of: 500, at: W + 50 * ms)?.policy == .fifo)
    }

    @Test("an identity sent in one interval names the thief in the next (one table per session)")
    func acrossIntervals() throws {
        let s = Session(runStart: W, interval: 100 * ms)
        var reports: [Report] = []
        s.onInterval = { w, _ in reports.append(w.report(meta())) }
        s.fold(Self.steal(600, at: W + 10 * ms))
        s.fold(Record(.identity(Self.identity(600, at: W + 10 * ms, policy: .batch, nice: 3, cgroup: 77))))
        s.fold(Self.steal(600, at: W + 150 * ms))
        let (last, _) = s.finish(at: W + 200 * ms, open: [KernelOpenThread]())
        reports.append(last.report(meta()))
        #expect(reports.count == 2)
        for r in reports {
            let t = try #require(r.thieves.first)
            #expect(t.policy == "batch" && t.nice == 3 && t.rtPriority == 0 && t.cpusAllowed == "0-1")
            #expect(t.cgroup == "id:77", "no path was read: the id stands in")
        }
    }

    @Test("keys: policy name, nice, rt_priority, cgroup path, CPU list; absent without an identity")
    func keys() throws {
        let a = Window(windowStart: W)
        a.fold([Self.steal(700, at: W + 2 * ms), Self.steal(701, at: W + 3 * ms)])
        a.fold(
            Record(
                .identity(Self.identity(700, at: W + 2 * ms, policy: .fifo, rt: 1, cgroup: 9, cpus: (0b1_0000_1111, 0)))
            ))
        a.close(at: W + 10 * ms, open: [])
        var m = meta()
        m.culprits = CulpritNames()
        m.culprits?.cgroups = ["9": "/system.slice/cron.service"]
        m.cpuBound = 16
        let r = a.report(m)
        let t = try #require(r.thieves.first { $0.pid == 700 })
        #expect(t.policy == "fifo" && t.rtPriority == 1 && t.nice == 0)
        #expect(t.cgroup == "/system.slice/cron.service")
        #expect(t.cpusAllowed == "0-3,8")
        let plain = try #require(r.thieves.first { $0.pid == 701 })
        #expect(plain.policy == nil && plain.nice == nil && plain.cgroup == nil && plain.cpusAllowed == nil)
        #expect(plain.work == nil)
    }

    @Test("contending targets are identified too (the kernel sends the identity of any culprit)")
    func contention() throws {
        let s = Session(runStart: W)
        s.addThread(tid: 101, tgid: 100, comm: "worker", state: .preempted)
        s.fold(
            Record(
                .slice(
                    SliceEnded(
                        tid: 101, tgid: 100, cpu: 0, start: W, end: W + 4 * ms, ran: 4 * ms, next: .preempted,
                        contended: 4 * ms, waiter: 102))))
        s.fold(Record(.identity(Self.identity(101, at: W + 4 * ms, policy: .idle, nice: 19, cpus: (0b1, 0)))))
        let (last, _) = s.finish(at: W + 10 * ms, open: [KernelOpenThread]())
        let t = try #require(last.report(meta()).contention?.first)
        #expect(t.pid == 101 && t.target == true)
        #expect(t.policy == "idle" && t.nice == 19 && t.cpusAllowed == "0" && t.cgroup == "id:1")
        #expect(t.work == nil)
    }

    @Test("more CPUs than the mask holds: the list read from /proc (saved), else what the mask shows")
    func wideMask() {
        let id = Self.identity(5, at: W, cpus: (.max, .max), count: 200)
        var names = CulpritNames()
        var t = Report.Thief(pid: 5, tgid: 5, comm: "x", count: 1, stolenNs: 1, maxNs: 1, kthread: false)
        t.identify(id, names: names, cpuBound: 128)
        #expect(t.cpusAllowed == "0-127")
        names.cpusAllowed = ["5": "0-199"]
        t.identify(id, names: names, cpuBound: 128)
        #expect(t.cpusAllowed == "0-199")
        // Bits past the machine's CPUs mean nothing.
        t.identify(Self.identity(5, at: W, cpus: (0xff, 0)), names: CulpritNames(), cpuBound: 2)
        #expect(t.cpusAllowed == "0-1")
    }

    @Test("CPU lists in the kernel's form")
    func cpuList() {
        #expect(CPUList.format([0, 1, 2, 3, 8]) == "0-3,8")
        #expect(CPUList.format([5, 0, 2, 1]) == "0-2,5")
        #expect(CPUList.format([]) == "")
        #expect(CPUList.format([3, 3]) == "3")
    }

    @Test("work items join their kworker's entry: top functions by time, named from the saved symbols")
    func work() throws {
        let a = Window(windowStart: W)
        a.fold(Self.steal(55, at: W + 5 * ms, comm: "kworker/0:2"))
        for (i, (f, d)) in [(0xa0, 3 * ms), (0xb0, 1 * ms), (0xa0, 2 * ms), (0xc8, 4 * ms)].enumerated() {
            a.fold(
                Record(
                    .work(
                        WorkItem(
                            victim: 10, cpu: 0, end: W + UInt64(i + 5) * ms, duration: d,
                            function: 0xffff_ffff_8100_0000 + UInt64(f), pid: 55, comm: Comm("kworker/0:2")))))
        }
        a.close(at: W + 20 * ms, open: [])
        var m = meta()
        m.culprits = CulpritNames()
        m.culprits?.symbols = ["ffffffff810000a0": "vmstat_update", "ffffffff810000c8": "lru_add_drain_per_cpu"]
        let t = try #require(a.report(m).thieves.first)
        #expect(
            t.work == [
                Report.Work(function: "vmstat_update", count: 2, totalNs: 5 * ms),
                Report.Work(function: "lru_add_drain_per_cpu", count: 1, totalNs: 4 * ms),
                Report.Work(function: "0xffffffff810000b0", count: 1, totalNs: 1 * ms),
            ])
    }

    @Test("kallsyms: text symbols only, the nearest at or below, offsets, hidden addresses")
    func kallsyms() {
        let text = """
            ffffffff81000000 T _stext
            ffffffff815be070 t vmstat_update
            ffffffff815be000 T vmstat_shepherd
            ffffffff82000000 D some_data
            ffffffffc0a00010 t mod_work\t[mymod]
            not a line
            ffffffffzzzz t bad
            """
        let k = KernelSymbols(text: Array(text.utf8))
        #expect(k.count == 4)
        #expect(k.name(of: 0xffff_ffff_815b_e070) == "vmstat_update")
        #expect(k.name(of: 0xffff_ffff_815b_e074) == "vmstat_update+0x4")
        #expect(k.name(of: 0xffff_ffff_815b_e010) == "vmstat_shepherd+0x10")
        #expect(k.name(of: 0xffff_ffff_c0a0_0010) == "mod_work")
        #expect(k.name(of: 0x1000) == nil)
        #expect(k.name(of: 0xffff_ffff_c0a0_0010 + (2 << 20)) == nil)
        let hidden = KernelSymbols(text: Array("0000000000000000 T _stext\n0000000000000000 t a\n".utf8))
        #expect(hidden.count == 0 && hidden.name(of: 0) == nil)
        #expect(KernelSymbols.hex(0xffff_ffff_815b_e070) == "0xffffffff815be070")
    }
}

@Suite("kallsyms: a pass that keeps only the wanted symbols")
struct KernelSymbolsWantedTests {
    @Test("load(only:) names the wanted addresses as the full table does, keeping one symbol each")
    func only() throws {
        let text = """
            ffffffff81000000 T _stext
            ffffffff81000100 t vmstat_update
            ffffffff81000200 t other_fn
            ffffffff81000300 T third_fn
            ffffffffc0000000 t mod_fn\t[mod]
            """
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kallsyms-\(UUID().uuidString)").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let wanted: Set<UInt64> = [0xffff_ffff_8100_0100, 0xffff_ffff_8100_0210, 0xffff_ffff_c000_0004]
        let some = try #require(KernelSymbols.load(path, only: wanted))
        let all = try #require(KernelSymbols.load(path))
        #expect(some.count == 3 && all.count == 5)
        for a in wanted { #expect(some.name(of: a) == all.name(of: a)) }
        #expect(some.name(of: 0xffff_ffff_8100_0210) == "other_fn+0x10")
    }
}
