/// The target's processes (`target.processes[]`): its threads summed per
/// process, with the time outside tasks and other targets took inside their
/// waits. A service of thousands of processes keeps `cap` rows, the most
/// waiting first, and one `(others)` row (pid 0) with the rest's exact sums.
public struct Processes: Analysis {
    public static let cap = 256
    public static let othersName = "(others)"

    /// Per waiting target thread: outside tasks' run time inside its waits.
    public private(set) var stolen: [UInt32: UInt64] = [:]
    /// The same for the exited threads folded away (`Threads.fold`), by tgid.
    public private(set) var stolenFolded: [UInt32: UInt64] = [:]

    public init() {}

    public mutating func consume(_ event: Event, in span: WindowSpan) {
        guard case .steal(let s) = event else { return }
        stolen[s.victim, default: 0] &+= s.duration(from: span.runStart)
    }

    /// An exited thread folded into its process's account.
    mutating func fold(tid: UInt32, tgid: UInt32) {
        if let ns = stolen.removeValue(forKey: tid) { stolenFolded[tgid, default: 0] &+= ns }
    }

    public func section(_ context: SectionContext) -> [Report.ProcessReport] {
        section(context, threads: Threads(), contention: Contention())
    }

    public func section(_ context: SectionContext, threads: Threads, contention: Contention)
        -> [Report.ProcessReport]
    {
        var rows: [UInt32: Report.ProcessReport] = [:]
        var causes: [UInt32: WaitCauses] = [:]
        var names: [UInt32: ProcessName] = [:]
        for t in threads.values {
            Self.add(t, threads: 1, stolen[t.tid], contention.suffered[t.tid], to: &rows, &causes)
            names[t.tgid, default: ProcessName()].add(tid: t.tid, tgid: t.tgid, comm: t.comm)
        }
        for (tgid, f) in threads.folded {
            Self.add(
                f.account, threads: f.threads, stolenFolded[tgid], contention.sufferedFolded[tgid], to: &rows, &causes)
            names[tgid, default: ProcessName()].add(f.name, tgid: tgid)
        }
        for (pid, name) in names { rows[pid]?.comm = name.comm }
        for (pid, c) in causes { rows[pid]?.byCause = Report.ByCause(c) }
        return Self.capped(rows.values.sorted { ($0.runnableWaitNs, $1.pid) > ($1.runnableWaitNs, $0.pid) }, causes)
    }

    /// One thread's account (or a process's folded exited threads) added to its process's row.
    private static func add(
        _ t: Threads.Account, threads n: Int, _ stolen: UInt64?, _ contention: UInt64?,
        to rows: inout [UInt32: Report.ProcessReport], _ causes: inout [UInt32: WaitCauses]
    ) {
        var row =
            rows[t.tgid]
            ?? Report.ProcessReport(
                pid: t.tgid, comm: "", threads: 0, onCoreNs: 0, runnableWaitNs: 0, stolenNs: 0,
                contentionNs: 0, migrations: 0)
        row.threads += n
        row.onCoreNs &+= t.onCore
        row.runnableWaitNs &+= t.runnableWait
        row.stolenNs &+= stolen ?? 0
        row.contentionNs &+= contention ?? 0
        row.migrations &+= t.migrations
        rows[t.tgid] = row
        causes[t.tgid, default: WaitCauses()] += t.waitCauses
    }

    /// The `cap` most waiting rows, and one `(others)` row with the rest's sums.
    private static func capped(_ ranked: [Report.ProcessReport], _ causes: [UInt32: WaitCauses])
        -> [Report.ProcessReport]
    {
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
