/// Migrations of the target's threads, by kind: report section 1.
public struct Migrations: Analysis {
    public private(set) var byKind = [UInt64](repeating: 0, count: MigrationKind.allCases.count)
    /// By how far each moved: from its origin CPU to its destination.
    public private(set) var byDistance = DistanceCounts()

    public init() {}

    public mutating func consume(_ event: Event, in span: WindowSpan) {
        guard case .migration(let m) = event else { return }
        byKind[m.kind.rawValue] += 1
        byDistance.add(Topology.distance(span.topology, Int(m.from), Int(m.to)))
    }

    public var count: UInt64 { byKind.reduce(0, +) }

    public func section(_ context: SectionContext) -> Report.Migrations {
        Report.Migrations(
            count: count, atWakeup: byKind[MigrationKind.atWakeup.rawValue],
            whileQueued: byKind[MigrationKind.whileQueued.rawValue],
            whileRunning: byKind[MigrationKind.whileRunning.rawValue], byDistance: .init(byDistance))
    }
}
