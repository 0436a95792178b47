import ThiefCore

/// What to trace.
public enum TargetSpec: Sendable, Equatable {
    /// Every thread of a process, and threads it creates.
    case process(Int32)
    /// Several processes (every thread of each); with `children`, their
    /// descendants too, existing and forked later.
    case processes([Int32], children: Bool)
    /// These threads only.
    case threads([Int32])
    /// A command thief launches, with its children and their threads.
    case command([String])
    /// Every task of a cgroup v2 directory and the cgroups below it,
    /// including tasks that join or are forked into it during the run.
    case cgroup(CgroupV2)
    /// Every process whose command name is exactly this, and any forked or
    /// exec'd with it during the run.
    case comm(String)

    /// What the report calls it.
    public var kind: TargetKind {
        switch self {
        case .process: .process
        case .processes(let pids, let children): children ? .tree : pids.count == 1 ? .process : .processes
        case .threads: .threads
        case .command: .command
        case .cgroup: .cgroup
        case .comm: .comm
        }
    }

    /// Tasks may join for as long as the run lasts: the run does not end
    /// when the tasks traced so far are gone.
    var isOpenEnded: Bool {
        switch self {
        case .cgroup, .comm: true
        default: false
        }
    }
}
