/// Hard IRQs, softirqs and system vectors that ran during the target's
/// slices, by source: report section 5.
public struct Interrupts: Analysis {
    public struct Key: Hashable, Sendable {
        public var kind: IRQKind
        public var number: UInt32
    }

    public struct Account: Sendable {
        public var name: String
        public var count: UInt64 = 0
        public var total: UInt64 = 0
        public var min: UInt64 = .max
        public var max: UInt64 = 0
    }

    public private(set) var accounts: [Key: Account] = [:]

    public init() {}

    public struct Section: Sendable {
        public var irqs: [Report.IRQ]
        public var softirqs: [Report.IRQ]
        public var systemVectors: [Report.IRQ]
    }

    public mutating func consume(_ event: Event, in span: WindowSpan) {
        guard case .interrupt(let i) = event, let kind = i.kind else { return }
        let key = Key(kind: kind, number: i.number)
        if accounts[key] == nil { accounts[key] = Account(name: i.name) }
        accounts[key]!.count += 1
        accounts[key]!.total &+= i.duration
        if i.duration < accounts[key]!.min { accounts[key]!.min = i.duration }
        if i.duration > accounts[key]!.max { accounts[key]!.max = i.duration }
    }

    public func section(_ context: SectionContext) -> Section {
        Section(irqs: rows(.hard), softirqs: rows(.soft), systemVectors: rows(.systemVector))
    }

    /// Most time first; ties by number.
    private func rows(_ kind: IRQKind) -> [Report.IRQ] {
        accounts.filter { $0.key.kind == kind }
            .sorted { ($0.value.total, $1.key.number) > ($1.value.total, $0.key.number) }
            .map { key, a in
                Report.IRQ(
                    irq: kind == .hard ? key.number : nil, vector: kind == .hard ? nil : a.name, name: a.name,
                    count: a.count, totalNs: a.total, minNs: a.count == 0 ? 0 : a.min,
                    avgNs: a.count == 0 ? 0 : a.total / a.count, maxNs: a.max)
            }
    }
}
