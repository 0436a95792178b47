/// What was traced: `target.kind` in the JSON report.
public enum TargetKind: String, Codable, Sendable, CaseIterable {
    /// -p PID: every thread of one process.
    case process
    /// -p PID,PID…: several processes.
    case processes
    /// -p PID --children: a process and its descendants.
    case tree
    /// --cgroup PATH (or --unit): every task of a cgroup v2 subtree.
    case cgroup
    /// --comm NAME: the processes of that command name.
    case comm
    /// -- CMD: a command thief launched, and its children.
    case command
    /// -t TID,…: chosen threads.
    case threads
}
