/// Who woke the target's threads from a sleep, how long each wake-up took
/// to run (sched_waking to switch-in), and how far the waker's CPU was from
/// the CPU the woken thread then ran on. Counted in the window the wake-up
/// ends in (its switch-in).
///
/// A wake-up from interrupt context is the interrupt's, not the task it
/// happened to interrupt: those are grouped as `[hardirq]` and `[softirq]`.
/// Memory is bounded like `Thieves`: past `2 × keep` wakers the table keeps
/// the `keep` that woke most and folds the rest into `(others)`, whose sums
/// keep every total exact.
public struct Wakers: Analysis {
    public struct Key: Hashable, Sendable {
        public var pid: UInt32
        public var context: Waker.Context
    }

    public struct Account: Sendable {
        public var pid: UInt32
        public var tgid: UInt32
        public var comm: String
        public var kthread: Bool
        public var context: Waker.Context
        /// Wake-up to run, ns; compact: one histogram per waker.
        public var latency = Distribution(compact: true)
        public var distances = DistanceCounts()
    }

    public static let keep = 512
    public static let othersName = "(others)"

    public private(set) var accounts: [Key: Account] = [:]
    public private(set) var others = Account(
        pid: 0, tgid: 0, comm: Wakers.othersName, kthread: false, context: .task)
    private let keep: Int

    public init() { keep = Wakers.keep }

    /// A table that keeps `keep` wakers (tests).
    init(keep: Int) { self.keep = keep }

    public var count: Int { accounts.count }

    public mutating func consume(_ event: Event, in span: WindowSpan) {
        guard case .wakeup(let w) = event else { return }
        let key = Self.key(w.waker)
        var at = accounts.index(forKey: key)
        if at == nil {
            if accounts.count >= 2 * keep { fold() }
            accounts[key] = Self.account(w.waker)
            at = accounts.index(forKey: key)
        }
        // One lookup per wake-up, the account changed in place.
        guard let at else { return }
        accounts.values[at].latency.record(w.latency)
        accounts.values[at].distances.add(Topology.distance(span.topology, Int(w.waker.cpu), Int(w.cpu)))
    }

    static func key(_ w: Waker) -> Key { Key(pid: w.context == .task ? w.pid : 0, context: w.context) }

    static func account(_ w: Waker) -> Account {
        switch w.context {
        case .task: Account(pid: w.pid, tgid: w.tgid, comm: w.comm.string, kthread: w.kthread, context: .task)
        case .hardIRQ: Account(pid: 0, tgid: 0, comm: "[hardirq]", kthread: false, context: .hardIRQ)
        case .softIRQ: Account(pid: 0, tgid: 0, comm: "[softirq]", kthread: false, context: .softIRQ)
        }
    }

    /// Keeps the `keep` wakers that woke most; the others join `(others)`.
    private mutating func fold() {
        for a in accounts.values.sorted(by: Self.byCount).dropFirst(keep) {
            others.latency.add(a.latency)
            others.distances += a.distances
            accounts[Self.key(a)] = nil
        }
    }

    static func key(_ a: Account) -> Key { Key(pid: a.pid, context: a.context) }

    /// Most wake-ups first; ties by pid, then context.
    static func byCount(_ a: Account, _ b: Account) -> Bool {
        (a.latency.count, b.pid, b.context.rawValue) > (b.latency.count, a.pid, a.context.rawValue)
    }

    public func section(_ context: SectionContext) -> [Report.WakerReport] {
        (Array(accounts.values) + (others.latency.count > 0 ? [others] : []))
            .sorted(by: Self.byCount)
            .map(Report.WakerReport.init)
    }
}
