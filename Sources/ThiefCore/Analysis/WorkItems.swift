/// Workqueue items that ran inside targets' waits (`Event.work`): per
/// kworker, the kernel functions it ran there, how often and for how long.
/// They join the kworker's entry in `thieves` (`work[]`).
///
/// Bounded: kworkers and work functions are few, but a window keeps at most
/// `capacity` (kworker, function) pairs; items of further pairs are not kept.
public struct WorkItems: Analysis {
    public struct Key: Hashable, Sendable {
        public var pid: UInt32
        public var function: UInt64
    }

    public struct Account: Sendable, Equatable {
        public var count: UInt64 = 0
        public var total: UInt64 = 0
    }

    public static let capacity = 8_192
    /// Rows per kworker in the report.
    public static let top = 10

    public private(set) var accounts: [Key: Account] = [:]

    public init() {}

    public var isEmpty: Bool { accounts.isEmpty }

    /// The kernel addresses of the work functions seen.
    public var functions: Set<UInt64> { Set(accounts.keys.map(\.function)) }

    public mutating func consume(_ event: Event, in span: WindowSpan) {
        guard case .work(let w) = event else { return }
        let key = Key(pid: w.pid, function: w.function)
        guard accounts[key] != nil || accounts.count < Self.capacity else { return }
        // A wait that began before the run: only its part inside the run counts.
        let inRun = w.end > span.runStart ? w.end - span.runStart : 0
        accounts[key, default: Account()].count += 1
        accounts[key]!.total &+= min(w.duration, inRun)
    }

    public func section(_ context: SectionContext) -> [UInt32: [Report.Work]] {
        section(symbols: [:])
    }

    /// Per kworker pid: its `top` functions, most time first (ties by name),
    /// named from `symbols` (address → name; an unknown one as hex).
    public func section(symbols: [UInt64: String]) -> [UInt32: [Report.Work]] {
        var out: [UInt32: [Report.Work]] = [:]
        for (key, a) in accounts {
            let name = symbols[key.function] ?? KernelSymbols.hex(key.function)
            out[key.pid, default: []].append(Report.Work(function: name, count: a.count, totalNs: a.total))
        }
        return out.mapValues { rows in
            Array(rows.sorted { ($0.totalNs, $1.function) > ($1.totalNs, $0.function) }.prefix(Self.top))
        }
    }
}
