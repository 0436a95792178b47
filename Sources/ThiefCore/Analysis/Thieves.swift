/// Tasks that ran on a target's CPU while it waited there, and the time each
/// took: report section 4.
public struct Thieves: Analysis {
    public struct Account: Sendable {
        public var pid: UInt32
        public var tgid: UInt32
        public var comm: String
        public var kthread: Bool
        public var count: UInt64 = 0
        public var stolen: UInt64 = 0
        public var max: UInt64 = 0
    }

    public private(set) var accounts: [UInt32: Account] = [:]

    public init() {}

    public subscript(pid: UInt32) -> Account? { accounts[pid] }
    public var values: Dictionary<UInt32, Account>.Values { accounts.values }
    public var count: Int { accounts.count }

    public mutating func consume(_ event: Event, in span: WindowSpan) {
        guard case .steal(let s) = event else { return }
        // Clipped at the run's start only: in interval mode a steal counts
        // whole in the interval in which it ends.
        let from = max(s.start, span.runStart)
        let d = s.start >= span.runStart ? s.duration : (s.end > from ? min(s.end - from, s.duration) : 0)
        if accounts[s.pid] == nil {
            accounts[s.pid] = Account(pid: s.pid, tgid: s.tgid, comm: s.comm.string, kthread: s.kthread)
        }
        accounts[s.pid]!.count += 1
        accounts[s.pid]!.stolen &+= d
        if d > accounts[s.pid]!.max { accounts[s.pid]!.max = d }
    }

    /// Most stolen first; ties by PID.
    public func section(_ context: SectionContext) -> [Report.Thief] {
        accounts.values
            .sorted { ($0.stolen, $1.pid) > ($1.stolen, $0.pid) }
            .map {
                Report.Thief(
                    pid: $0.pid, tgid: $0.tgid, comm: $0.comm, count: $0.count, stolenNs: $0.stolen, maxNs: $0.max,
                    kthread: $0.kthread)
            }
    }
}
