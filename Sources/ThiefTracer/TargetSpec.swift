/// What to trace.
public enum TargetSpec: Sendable, Equatable {
    /// Every thread of a process, and threads it creates.
    case process(Int32)
    /// These threads only.
    case threads([Int32])
    /// A command thief launches, with its children and their threads.
    case command([String])
}
