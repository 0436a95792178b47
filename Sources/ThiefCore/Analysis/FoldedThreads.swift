/// The threads of one process that exited more than `Threads.foldAfter`
/// before the latest thread event, summed into one account: what keeps a
/// target that creates and ends thousands of threads a second at a bounded
/// size. Its sums are exact, and `lifetime` (the sum of the threads' parts of
/// the window) keeps the thread time every share divides by exact.
public struct FoldedThreads: Sendable {
    public static let comm = "(exited threads)"

    /// tid 0, the process's tgid, the name `comm`: the threads' summed times.
    public var account: Account
    public var threads: Int = 0
    /// Sum of the threads' windows (birth or the window's start to exit).
    public var lifetime: UInt64 = 0
    /// The earliest start of their windows.
    public var start: UInt64 = .max
    /// What the folded threads say about their process's name.
    public var name = ProcessName()

    public typealias Account = Threads.Account

    init(tgid: UInt32) {
        account = Account(tid: 0, tgid: tgid, comm: Self.comm)
    }

    /// Adds one exited thread and its part of the window.
    mutating func add(_ t: Account, span: (start: UInt64, end: UInt64)) {
        account.onCore &+= t.onCore
        account.offCore &+= t.offCore
        account.slices &+= t.slices
        account.runnableWait &+= t.runnableWait
        account.waitCauses += t.waitCauses
        account.migrations &+= t.migrations
        account.exit = max(account.exit ?? 0, t.exit ?? 0)
        threads += 1
        lifetime &+= span.end - span.start
        start = min(start, span.start)
        name.add(tid: t.tid, tgid: t.tgid, comm: t.comm)
    }

    /// Its row in `target.threads[]`: start_ns is its threads' earliest start
    /// and end_ns - start_ns their summed lifetimes, so that the rows' spans
    /// still add up to the thread time.
    func report(windowStart: UInt64) -> Report.ThreadReport {
        let s = start == .max ? windowStart : start
        let a = account
        var row = Report.ThreadReport(
            tid: 0, tgid: a.tgid, comm: Self.comm, onCoreNs: a.onCore, offCoreNs: a.offCore, slices: a.slices,
            runnableWaitNs: a.runnableWait, migrations: a.migrations, startNs: s, endNs: s &+ lifetime,
            exited: true, byCause: Report.ByCause(a.waitCauses))
        row.threadsFolded = threads
        return row
    }
}
