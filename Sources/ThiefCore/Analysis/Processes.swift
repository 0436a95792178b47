/// The target's processes (`target.processes[]`): its threads summed per
/// process, with the time outside tasks and other targets took inside their
/// waits. A service of thousands of processes keeps `cap` rows, the most
/// waiting first, and one `(others)` row (pid 0) with the rest's exact sums.
public struct Processes: Analysis {
    public static let cap = 256
    public static let othersName = "(others)"

    /// Per waiting target thread: outside tasks' run time inside its waits.
    public private(set) var stolen: [UInt32: UInt64] = [:]

    public init() {}

    public mutating func consume(_ event: Event, in span: WindowSpan) {
        guard case .steal(let s) = event else { return }
        stolen[s.victim, default: 0] &+= s.duration(from: span.runStart)
    }

    public func section(_ context: SectionContext) -> [Report.ProcessReport] {
        section(context, threads: Threads(), contention: Contention())
    }

    public func section(_ context: SectionContext, threads: Threads, contention: Contention)
        -> [Report.ProcessReport]
    {
        var rows: [UInt32: Report.ProcessReport] = [:]
        var causes: [UInt32: WaitCauses] = [:]
        // By tid: a process whose main thread is not in the window is named
        // after its lowest thread, the same in every run.
        for t in threads.values.sorted(by: { $0.tid < $1.tid }) {
            var row =
                rows[t.tgid]
                ?? Report.ProcessReport(
                    pid: t.tgid, comm: "", threads: 0, onCoreNs: 0, runnableWaitNs: 0, stolenNs: 0,
                    contentionNs: 0, migrations: 0)
            if t.tid == t.tgid || row.comm.isEmpty { row.comm = t.comm }
            row.threads += 1
            row.onCoreNs &+= t.onCore
            row.runnableWaitNs &+= t.runnableWait
            row.stolenNs &+= stolen[t.tid] ?? 0
            row.contentionNs &+= contention.suffered[t.tid] ?? 0
            row.migrations &+= t.migrations
            rows[t.tgid] = row
            causes[t.tgid, default: WaitCauses()] += t.waitCauses
        }
        for (pid, c) in causes { rows[pid]?.byCause = Report.ByCause(c) }
        let ranked = rows.values.sorted { ($0.runnableWaitNs, $1.pid) > ($1.runnableWaitNs, $0.pid) }
        guard ranked.count > Self.cap else { return ranked }
        var others = Report.ProcessReport(
            pid: 0, comm: Self.othersName, threads: 0, onCoreNs: 0, runnableWaitNs: 0, stolenNs: 0, contentionNs: 0,
            migrations: 0)
        var othersCauses = WaitCauses()
        for r in ranked.dropFirst(Self.cap) {
            othersCauses += causes[r.pid] ?? WaitCauses()
            others.threads += r.threads
            others.onCoreNs &+= r.onCoreNs
            others.runnableWaitNs &+= r.runnableWaitNs
            others.stolenNs &+= r.stolenNs
            others.contentionNs &+= r.contentionNs
            others.migrations &+= r.migrations
        }
        others.byCause = Report.ByCause(othersCauses)
        return Array(ranked.prefix(Self.cap)) + [others]
    }
}
