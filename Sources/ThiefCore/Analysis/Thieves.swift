/// Tasks that ran on a target's CPU while it waited there, and the time each
/// took: report section 4.
///
/// Memory is bounded under a fork storm (thousands of short-lived thieves a
/// second): past `2 × keep` tasks the table keeps the `keep` that took the
/// most and folds the rest into one `(others)` entry, so the totals stay
/// exact. A folded task that steals again starts a new entry.
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

    /// Tasks kept exact when the table is folded.
    public static let keep = 512
    /// The `comm` of the entry that holds the folded tasks (pid 0).
    public static let othersName = "(others)"

    public private(set) var accounts: [UInt32: Account] = [:]
    /// The folded tasks, summed (count 0: none).
    public private(set) var others = Account(pid: 0, tgid: 0, comm: Thieves.othersName, kthread: false)
    private let keep: Int

    public init() { keep = Thieves.keep }

    /// A table that keeps `keep` tasks (tests).
    init(keep: Int) { self.keep = keep }

    public subscript(pid: UInt32) -> Account? { accounts[pid] }
    public var values: Dictionary<UInt32, Account>.Values { accounts.values }
    public var count: Int { accounts.count }

    public mutating func consume(_ event: Event, in span: WindowSpan) {
        guard case .steal(let s) = event else { return }
        let d = s.duration(from: span.runStart)
        if accounts[s.pid] == nil {
            if accounts.count >= 2 * keep { fold() }
            accounts[s.pid] = Account(pid: s.pid, tgid: s.tgid, comm: s.comm.string, kthread: s.kthread)
        }
        accounts[s.pid]!.count += 1
        accounts[s.pid]!.stolen &+= d
        if d > accounts[s.pid]!.max { accounts[s.pid]!.max = d }
    }

    /// Keeps the `keep` tasks that took the most; the others join `(others)`.
    private mutating func fold() {
        let ranked = accounts.values.sorted(by: Self.byStolen)
        for a in ranked.dropFirst(keep) {
            others.count &+= a.count
            others.stolen &+= a.stolen
            others.max = Swift.max(others.max, a.max)
            accounts[a.pid] = nil
        }
    }

    static func byStolen(_ a: Account, _ b: Account) -> Bool { (a.stolen, b.pid) > (b.stolen, a.pid) }

    /// Most stolen first; ties by PID; `(others)` among them by its total.
    public func section(_ context: SectionContext) -> [Report.Thief] {
        (Array(accounts.values) + (others.count > 0 ? [others] : []))
            .sorted(by: Self.byStolen)
            .map {
                Report.Thief(
                    pid: $0.pid, tgid: $0.tgid, comm: $0.comm, count: $0.count, stolenNs: $0.stolen, maxNs: $0.max,
                    kthread: $0.kthread)
            }
    }
}
