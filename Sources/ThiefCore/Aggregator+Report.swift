/// What the report says besides the numbers.
public struct ReportMeta: Sendable {
    public var version: String
    public var host: String
    public var kernel: String
    public var pid: Int32
    public var comm: String
    public var command: [String]?
    public var exitStatus: Int32?
    public var startTime: String
    public var endReason: String
    public var lostEvents: UInt64
    public var missedSwitchEvents: UInt64
    public var attach: String
    public var programs: Int
    /// Wall clock at the window's start, ns since the epoch (0: unknown).
    public var startEpochNs: UInt64 = 0
    /// Set for the reports of `--interval`.
    public var interval: Report.Interval?
    /// Set with --self-cost.
    public var selfCost: Report.SelfCost?
    /// The machine's online CPUs (nil: unknown, e.g. an older recording).
    public var cpusOnline: Int?

    public init(version: String, host: String, kernel: String, pid: Int32, comm: String,
                command: [String]? = nil, exitStatus: Int32? = nil, startTime: String,
                endReason: String, lostEvents: UInt64, missedSwitchEvents: UInt64 = 0,
                attach: String, programs: Int) {
        self.version = version; self.host = host; self.kernel = kernel; self.pid = pid
        self.comm = comm; self.command = command; self.exitStatus = exitStatus
        self.startTime = startTime; self.endReason = endReason; self.lostEvents = lostEvents
        self.missedSwitchEvents = missedSwitchEvents
        self.attach = attach; self.programs = programs
    }
}

extension Distribution {
    func stats(threadTime: UInt64, byState: [String: Report.Stats]? = nil) -> Report.Stats {
        var hist: [Report.Bucket] = []
        if let last = buckets.lastIndex(where: { $0 > 0 }), let first = buckets.firstIndex(where: { $0 > 0 }) {
            for k in first...last {
                let b = Distribution.bounds(of: k)
                hist.append(Report.Bucket(lowNs: b.low, highNs: b.high, count: buckets[k]))
            }
        }
        return Report.Stats(
            totalNs: total, count: count,
            pct: threadTime == 0 ? 0 : Double(total) / Double(threadTime),
            minNs: count == 0 ? 0 : min, avgNs: mean,
            p50Ns: percentile(50), p90Ns: percentile(90), p99Ns: percentile(99), maxNs: max,
            hist: hist, byState: byState)
    }
}

extension Aggregator {
    /// Sum of the per-thread windows: the time the target's threads existed.
    public var threadTime: UInt64 {
        threads.values.reduce(0) { acc, t in let w = window(of: t); return acc &+ (w.end - w.start) }
    }

    public func report(_ meta: ReportMeta) -> Report {
        let end = windowEnd ?? windowStart
        let tt = threadTime
        var byState: [String: Report.Stats] = [:]
        for s in OffState.allCases { byState[s.name] = offByState[s.rawValue].stats(threadTime: tt) }
        let threadReports = threads.values.sorted { $0.tid < $1.tid }.map { t -> Report.ThreadReport in
            let w = window(of: t)
            return Report.ThreadReport(tid: t.tid, tgid: t.tgid, comm: t.comm, onCoreNs: t.onCore,
                                       offCoreNs: t.offCore, slices: t.slices, runnableWaitNs: t.runnableWait,
                                       migrations: t.migrations, startNs: w.start, endNs: w.end,
                                       exited: t.exit != nil)
        }
        let thiefList = thieves.values
            .sorted { ($0.stolen, $1.pid) > ($1.stolen, $0.pid) }
            .map { Report.Thief(pid: $0.pid, tgid: $0.tgid, comm: $0.comm, count: $0.count,
                                stolenNs: $0.stolen, maxNs: $0.max, kthread: $0.kthread) }
        func irqs(_ kind: IRQKind) -> [Report.IRQ] {
            interrupts.filter { $0.key.kind == kind.rawValue }
                .sorted { ($0.value.total, $1.key.number) > ($1.value.total, $0.key.number) }
                .map { key, a in
                    Report.IRQ(irq: kind == .hard ? key.number : nil,
                               vector: kind == .hard ? nil : a.name, name: a.name, count: a.count,
                               totalNs: a.total, minNs: a.count == 0 ? 0 : a.min,
                               avgNs: a.count == 0 ? 0 : a.total / a.count, maxNs: a.max)
                }
        }
        return Report(
            version: meta.version, host: meta.host, kernel: meta.kernel,
            target: .init(pid: meta.pid, comm: meta.comm, command: meta.command,
                          exitStatus: meta.exitStatus, threads: threadReports),
            window: .init(startNs: windowStart, endNs: end, durationNs: end - windowStart,
                          startTime: meta.startTime, startEpochNs: meta.startEpochNs, cpusSeen: cpusSeen,
                          cpusOnline: meta.cpusOnline, endReason: meta.endReason),
            migrations: .init(count: migrations.reduce(0, +), atWakeup: migrations[0],
                              whileQueued: migrations[1], whileRunning: migrations[2]),
            onCore: onCore.stats(threadTime: tt),
            offCore: offCore.stats(threadTime: tt, byState: byState),
            runnableWait: runnableWait.stats(threadTime: tt),
            thieves: thiefList, irqs: irqs(.hard), softirqs: irqs(.soft), systemVectors: irqs(.systemVector),
            lostEvents: meta.lostEvents, missedSwitchEvents: meta.missedSwitchEvents, records: records,
            tracer: .init(attach: meta.attach, programs: meta.programs, selfCost: meta.selfCost), interval: meta.interval)
    }
}
