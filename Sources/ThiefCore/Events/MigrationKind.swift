/// Why a thread changed CPUs (enum thief_migration_kind).
public enum MigrationKind: Int, CaseIterable, Sendable {
    case atWakeup = 0, whileQueued = 1, whileRunning = 2

    /// From a kernel value; anything unknown counts as `whileRunning`.
    init(kernel value: UInt32) {
        self = MigrationKind(rawValue: Int(min(value, 2))) ?? .whileRunning
    }
}
