/// Migrations of the target's threads, by kind: report section 1.
public struct Migrations: Analysis {
    public private(set) var byKind = [UInt64](repeating: 0, count: MigrationKind.allCases.count)

    public init() {}

    public mutating func consume(_ event: Event, in span: WindowSpan) {
        if case .migration(let m) = event { byKind[m.kind.rawValue] += 1 }
    }

    public var count: UInt64 { byKind.reduce(0, +) }

    public func section(_ context: SectionContext) -> Report.Migrations {
        Report.Migrations(
            count: count, atWakeup: byKind[MigrationKind.atWakeup.rawValue],
            whileQueued: byKind[MigrationKind.whileQueued.rawValue],
            whileRunning: byKind[MigrationKind.whileRunning.rawValue])
    }
}
