/// Contention among targets: target threads that ran on a CPU while other
/// targets waited there (`SliceEnded.contended`), a service's threads or
/// processes waiting for each other. Counted in the window the slice ends in.
/// Exited threads are folded per process as `Threads` folds them: one row
/// (pid 0, "(exited threads)") per process.
public struct Contention: Analysis {
    public struct Account: Sendable {
        public var tid: UInt32
        public var tgid: UInt32
        public var count: UInt64 = 0
        public var stolen: UInt64 = 0
        public var max: UInt64 = 0
    }

    public private(set) var accounts: [UInt32: Account] = [:]
    /// Per waiting target thread: the other targets' run time inside its waits.
    public private(set) var suffered: [UInt32: UInt64] = [:]
    /// Both for the exited threads folded away (`Threads.fold`), by tgid (tid 0).
    public private(set) var foldedAccounts: [UInt32: Account] = [:]
    public private(set) var sufferedFolded: [UInt32: UInt64] = [:]

    public init() {}

    public var total: UInt64 {
        foldedAccounts.values.reduce(accounts.values.reduce(0) { $0 &+ $1.stolen }) { $0 &+ $1.stolen }
    }

    /// An exited thread folded into its process's account.
    mutating func fold(tid: UInt32, tgid: UInt32) {
        if let ns = suffered.removeValue(forKey: tid) { sufferedFolded[tgid, default: 0] &+= ns }
        guard let a = accounts.removeValue(forKey: tid) else { return }
        var f = foldedAccounts[tgid] ?? Account(tid: 0, tgid: tgid)
        f.count &+= a.count
        f.stolen &+= a.stolen
        f.max = Swift.max(f.max, a.max)
        foldedAccounts[tgid] = f
    }

    @inline(__always)
    public mutating func consume(_ e: Episode, portion: UInt64, length: UInt64?) {
        guard e.contended > 0, length != nil else { return }
        record(e)
    }

    private mutating func record(_ e: Episode) {
        accounts[e.tid, default: Account(tid: e.tid, tgid: e.tgid)].count += 1
        accounts[e.tid]!.stolen &+= e.contended
        if e.contended > accounts[e.tid]!.max { accounts[e.tid]!.max = e.contended }
        suffered[e.waiter, default: 0] &+= e.contended
    }

    public func section(_ context: SectionContext) -> [Report.Thief] { section(context, threads: Threads()) }

    /// Most time first, named after the threads that ran.
    public func section(_ context: SectionContext, threads: Threads) -> [Report.Thief] {
        let all: [Account] = Array(accounts.values) + Array(foldedAccounts.values)
        return
            all
            .sorted { ($0.stolen, $1.tid, $1.tgid) > ($1.stolen, $0.tid, $0.tgid) }
            .map { (a: Account) -> Report.Thief in
                let comm = a.tid == 0 ? FoldedThreads.comm : threads[a.tid]?.comm ?? ""
                return Report.Thief(
                    pid: a.tid, tgid: a.tgid, comm: comm, count: a.count,
                    stolenNs: a.stolen, maxNs: a.max, kthread: false, target: true)
            }
    }
}
