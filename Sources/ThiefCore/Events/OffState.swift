import CThiefABI

/// A thread's state when it left the CPU (enum thief_off_state).
public enum OffState: Int, CaseIterable, Sendable, Hashable {
    case preempted = 0, sleeping = 1, blocked = 2, other = 3

    /// The name reports, CSV columns and gate rules use.
    public var name: String {
        switch self {
        case .preempted: "preempted"
        case .sleeping: "sleeping"
        case .blocked: "blocked"
        case .other: "other"
        }
    }

    public init?(name: String) {
        guard let s = OffState.allCases.first(where: { $0.name == name }) else { return nil }
        self = s
    }

    /// From a kernel value; anything unknown is `other` (a crafted recording may hold any number).
    public init(kernel value: UInt32) {
        self = OffState(rawValue: Int(min(value, UInt32(THIEF_OFF_OTHER.rawValue)))) ?? .other
    }

    /// From the state letter of /proc/PID/task/TID/stat.
    public init(procState: Character) {
        switch procState {
        case "R": self = .preempted
        case "S", "I": self = .sleeping
        case "D": self = .blocked
        default: self = .other
        }
    }
}
