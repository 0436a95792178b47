import ThiefCore

// Reading metric paths out of a report: the gate's only reader of the report's
// statistics (ReportFile decodes reports, JUnitRenderer reads their header
// fields). Off-core states are looked up in `Report.Stats.byState` in one place,
// `Subject.stats(in:)`. Sums are taken in Double, so a hand-edited report with
// huge numbers cannot overflow and trap.

extension Report {
    /// Sum of the per-thread windows, in ns: what `Stats.pct` divides by.
    public var threadTimeNs: Double {
        target.threads.reduce(0) { $0 + Swift.max(0, Double($1.endNs) - Double($1.startNs)) }
    }
}

extension Rule {
    /// The observed value in the rule's canonical unit (ns, 0...1 share, count).
    public func observed(in report: Report) throws(MetricUnavailable) -> Double {
        kind == .share ? try metric.subject.share(of: field, in: report) : try metric.subject.value(field, in: report)
    }
}

extension Metric {
    /// The value of this path in the report (its default field when none is given).
    public func value(in report: Report) throws(MetricUnavailable) -> Double {
        try subject.value(resolvedField, in: report)
    }
}

extension Subject {
    /// The value of `field` (one of `fields`; the default otherwise) in canonical units.
    public func value(_ field: Field, in r: Report) throws(MetricUnavailable) -> Double {
        if field == .pct { return try share(of: field, in: r) }
        switch self {
        case .onCore, .offCore, .runnableWait, .offCoreState:
            let s = try stats(in: r)
            func optional(_ key: String, _ v: UInt64) throws(MetricUnavailable) -> Double {
                guard !s.absent.contains(key) else { throw MetricUnavailable("\(field.rawValue) for \(self)") }
                return Double(v)
            }
            switch field {
            case .count: return Double(s.count)
            case .p50: return Double(s.p50Ns)
            case .p90: return try optional("p90_ns", s.p90Ns)
            case .p99: return Double(s.p99Ns)
            case .max: return Double(s.maxNs)
            case .min: return try optional("min_ns", s.minNs)
            case .avg: return try optional("avg_ns", s.avgNs)
            default: return Double(s.totalNs)
            }
        case .migrations:
            let m = r.migrations
            switch field {
            case .atWakeup: return Double(m.atWakeup)
            case .whileQueued: return Double(m.whileQueued)
            case .whileRunning: return Double(m.whileRunning)
            default: return Double(m.count)
            }
        case .irqs, .softirqs, .systemVectors:
            let list = interrupts(in: r)
            switch field {
            case .count: return list.reduce(0) { $0 + Double($1.count) }
            case .max: return list.reduce(0) { Swift.max($0, Double($1.maxNs)) }
            default: return list.reduce(0) { $0 + Double($1.totalNs) }
            }
        case .lostEvents: return Double(r.lostEvents)
        case .missedSwitchEvents: return Double(r.missedSwitchEvents)
        case .thief(let selector):
            let list = r.thieves.filter { selector.matches($0) }
            switch field {
            case .count: return list.reduce(0) { $0 + Double($1.count) }
            case .max: return list.reduce(0) { Swift.max($0, Double($1.maxNs)) }
            default: return list.reduce(0) { $0 + Double($1.stolenNs) }
            }
        case .waker(let selector): return try wakerValue(selector, field, in: r)
        case .cpu(let n): return try cpuValue(n, field, in: r)
        case .runnableWaitCause(let cause):
            guard let c = r.runnableWait.byCause else { throw MetricUnavailable("runnable_wait.by_cause") }
            if cause.isUnavailable(in: c) {
                throw MetricUnavailable("runnable_wait.\(cause.rawValue) (this kernel cannot measure it)")
            }
            return Double(cause.ns(in: c))
        }
    }

    /// `waker[…]`: counts and totals summed over the matching wakers, `p99` and `max` the largest.
    func wakerValue(_ selector: ThiefSelector, _ field: Field, in r: Report) throws(MetricUnavailable) -> Double {
        guard let wakers = r.wakers else { throw MetricUnavailable("wakers") }
        let list = wakers.filter { selector.matches($0) }
        switch field {
        case .total: return list.reduce(0) { $0 + Double($1.totalNs) }
        case .p99: return list.reduce(0) { Swift.max($0, Double($1.p99Ns)) }
        case .max: return list.reduce(0) { Swift.max($0, Double($1.maxNs)) }
        default: return list.reduce(0) { $0 + Double($1.count) }
        }
    }

    /// `cpu[N]`: its entry in `cpus` (a CPU the target never used reads 0).
    func cpuValue(_ n: Int, _ field: Field, in r: Report) throws(MetricUnavailable) -> Double {
        guard let cpus = r.cpus else { throw MetricUnavailable("cpus") }
        guard let c = cpus.first(where: { $0.cpu == n }) else { return 0 }
        switch field {
        case .runnableWait: return Double(c.runnableWaitNs)
        case .stolen: return Double(c.stolenNs)
        case .contention: return Double(c.contentionNs)
        default: return Double(c.onCoreNs)
        }
    }

    /// The share of thread time (0...1) of the subject's time sum: the report's
    /// own `pct` for on/off-core and runnable wait; total (or stolen) time over
    /// the summed thread windows otherwise. `field` is `.pct` or a time sum.
    public func share(of field: Field, in r: Report) throws(MetricUnavailable) -> Double {
        switch self {
        case .onCore, .offCore, .runnableWait, .offCoreState:
            let s = try stats(in: r)
            guard !s.absent.contains("pct") else { throw MetricUnavailable("pct for \(self)") }
            return s.pct
        default:
            let time = r.threadTimeNs
            return time > 0 ? try value(field.isTimeSum ? field : timeField, in: r) / time : 0
        }
    }

    /// The Stats block of a stats subject. A state missing from `off_core.by_state`
    /// (or the whole block) is an error: a report that does not say is not 0.
    func stats(in r: Report) throws(MetricUnavailable) -> Report.Stats {
        switch self {
        case .onCore: return r.onCore
        case .offCore: return r.offCore
        case .runnableWait: return r.runnableWait
        case .offCoreState(let state):
            guard let s = r.offCore.byState?[state] else {
                throw MetricUnavailable("off_core.by_state.\(state.name)")
            }
            return s
        default: throw MetricUnavailable("statistics for \(self)")
        }
    }

    func interrupts(in r: Report) -> [Report.IRQ] {
        switch self {
        case .irqs: return r.irqs
        case .softirqs: return r.softirqs
        case .systemVectors: return r.systemVectors
        default: return []
        }
    }
}

extension ThiefSelector {
    public func matches(_ t: Report.Thief) -> Bool { matches(comm: t.comm, tgid: t.tgid, pid: t.pid) }

    public func matches(_ w: Report.WakerReport) -> Bool { matches(comm: w.comm, tgid: w.tgid, pid: w.pid) }

    func matches(comm: String, tgid: UInt32, pid: UInt32) -> Bool {
        switch self {
        case .comm(let glob): return Glob.matches(glob, comm)
        case .tgid(let n): return tgid == n
        case .pid(let n): return pid == n
        }
    }
}
