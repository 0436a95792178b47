import Testing

@testable import ThiefCore

/// The quota of the cgroup the target was in when throttled, not only the one
/// it had at the start (a target that enters its cgroup after the run starts).
@Suite("CPU quota: looked up as the target is throttled")
struct CPUQuotaWatchTests {
    static let box = CPUQuota(
        cgroup: "/limited", file: "/sys/fs/cgroup/cpu/limited/cpu.cfs_quota_us", quotaUs: 20_000, periodUs: 100_000,
        version: 1)

    /// A wait of `ns` of which `throttled` ns throttled, for thread 10 of process 10.
    static func wait(_ s: Session, at end: UInt64, ns: UInt64, throttled: UInt64) {
        var r = Record(
            .wait(
                WaitEnded(
                    tid: 10, tgid: 10, cpu: 0, queueCPU: 0, start: end - ns, end: end,
                    causes: .init(throttled: throttled, known: true))))
        withUnsafeBytes(of: &r) { s.fold(bytes: $0.baseAddress!, count: Record.size) }
    }

    @Test("none at the start; throttled later: the quota its process is in then, looked up only as throttling grows")
    func joinedLater() {
        var lookups: [Int32] = []
        var now: CPUQuota? = nil
        let watch = CPUQuotaWatch(start: nil) { pid in
            lookups.append(pid)
            return now
        }
        let s = Session(runStart: W)
        s.addThread(tid: 10, tgid: 10, comm: "app", state: .sleeping)
        Self.wait(s, at: W + 5 * ms, ns: ms, throttled: 0)
        watch.update(s.current, now: W + 5 * ms)
        #expect(lookups.isEmpty && watch.quota == nil)
        // It joined the cgroup and is throttled there.
        now = Self.box
        Self.wait(s, at: W + 10 * ms, ns: 2 * ms, throttled: 2 * ms)
        watch.update(s.current, now: W + 300 * ms)
        #expect(lookups == [10] && watch.quota == Self.box)
        // Not again within the period, nor without more throttling.
        Self.wait(s, at: W + 20 * ms, ns: ms, throttled: ms)
        watch.update(s.current, now: W + 400 * ms)
        #expect(lookups == [10])
        watch.update(s.current, now: W + 700 * ms)
        #expect(lookups == [10, 10])
        watch.update(s.current, now: W + 1000 * ms)
        #expect(lookups == [10, 10])
        // Gone by the end (the process exited): the last quota found stays.
        now = nil
        Self.wait(s, at: W + 900 * ms, ns: ms, throttled: ms)
        watch.look(s.current)
        #expect(watch.quota == Self.box)
    }

    @Test("the run's quota reaches the report through the trailer, and replays of recordings")
    func reported() throws {
        var t = RunTrailer(
            end: W + 10 * ms, endReason: "duration", exitStatus: nil, lostEvents: 0, missedSwitchEvents: 0,
            open: [], untouched: [:], names: [:])
        t.cpuQuota = Self.box
        let h = RunHeader(
            version: "0.1.0", host: "h", kernel: "k", pid: 10, comm: "app", command: nil, runStart: W,
            startEpochNs: 0, attach: "tp_btf", programs: 1, seeds: [.init(tid: 10, tgid: 10, comm: "app")])
        let c = try TraceFile.parse(try TraceFile.encodeStart(h) + TraceFile.encodeEnd(t))
        #expect(c.trailer.cpuQuota == Self.box)
        #expect(Replay.reports(c, interval: nil).last?.target.cpuQuota == Self.box)
        #expect(Replay.reports(c, interval: 3 * ms).allSatisfy { $0.target.cpuQuota == Self.box })
    }
}
