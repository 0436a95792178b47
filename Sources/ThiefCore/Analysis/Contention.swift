/// Contention among targets: target threads that ran on a CPU while other
/// targets waited there (`SliceEnded.contended`), a service's threads or
/// processes waiting for each other. Counted in the window the slice ends in.
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

    public init() {}

    public var total: UInt64 { accounts.values.reduce(0) { $0 &+ $1.stolen } }

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
        accounts.values
            .sorted { ($0.stolen, $1.tid) > ($1.stolen, $0.tid) }
            .map {
                Report.Thief(
                    pid: $0.tid, tgid: $0.tgid, comm: threads[$0.tid]?.comm ?? "", count: $0.count,
                    stolenNs: $0.stolen, maxNs: $0.max, kthread: false, target: true)
            }
    }
}
