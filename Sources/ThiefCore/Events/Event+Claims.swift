/// What an event claims to have lasted, for checking a recording: no
/// duration it carries can be longer than the run it was recorded in
/// (docs/recordings.md: a recording that says otherwise is damaged and is
/// refused, not clipped).
extension Event {
    /// The longest duration among the event's fields (0 for instants).
    public var longestClaim: UInt64 {
        switch self {
        case .slice(let s): max(s.ran, s.contended)
        case .wait(let w): max(w.causes.targets, w.causes.idle, w.causes.steal, w.causes.throttled)
        case .steal(let s): s.duration
        case .interrupt(let i): i.duration
        case .work(let w): w.duration
        case .offCore, .migration, .threadBorn, .threadExec, .threadExit, .wakeup, .identity: 0
        }
    }

    /// A short name of the kind of event, for messages.
    public var kindName: String {
        switch self {
        case .slice: "slice"
        case .offCore: "off-core interval"
        case .wait: "wait"
        case .steal: "stolen time"
        case .interrupt: "interrupt"
        case .migration: "migration"
        case .threadBorn: "thread birth"
        case .threadExec: "exec"
        case .threadExit: "thread exit"
        case .wakeup: "wake-up"
        case .identity: "identity"
        case .work: "work item"
        }
    }
}
