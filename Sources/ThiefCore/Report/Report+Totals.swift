/// Totals the renderers show, computed here once so that every format
/// agrees (and none sums a list in its own way).
extension Report {
    /// Time all thieves took.
    public var stolenNs: UInt64 { thieves.reduce(0) { $0 &+ $1.stolenNs } }

    /// Time other targets took (contention among targets).
    public var contentionNs: UInt64 { (contention ?? []).reduce(0) { $0 &+ $1.stolenNs } }

    /// The task that took the most, if any.
    public var topThief: Thief? { thieves.first }

    /// The interrupts of one kind, most time first.
    public func interrupts(_ kind: IRQKind) -> [IRQ] {
        switch kind {
        case .hard: irqs
        case .soft: softirqs
        case .systemVector: systemVectors
        }
    }

    /// Own time of the interrupts of one kind.
    public func interruptNs(_ kind: IRQKind) -> UInt64 {
        interrupts(kind).reduce(0) { $0 &+ $1.totalNs }
    }
}

extension Report.Stats {
    /// Off-core time in one state (0 where the report has no such split).
    public func totalNs(in state: OffState) -> UInt64 { byState?[state]?.totalNs ?? 0 }
}
