import CThiefABI

/// What the kernel side still holds open for a thread when the run ends: the
/// episodes no record closed. The timeline closes them at the run's end.
public struct KernelOpenThread: Sendable {
    public var tid: UInt32
    public var tgid: UInt32
    public var running: Bool
    public var onTs: UInt64
    public var onCPU: UInt16
    public var offTs: UInt64
    public var offState: OffState
    public var waiting: Bool
    public var waitTs: UInt64
    /// The run queue it waits on.
    public var waitCPU: UInt16
    /// The thread was seen switching in: its kernel-side slice start is known.
    public var seenIn: Bool

    /// From the threads map's value (`struct thief_tstate`).
    public init(tid: UInt32, _ s: thief_tstate) {
        self.tid = tid
        tgid = s.tgid
        running = s.running != 0
        onTs = s.on_ts
        onCPU = s.on_cpu
        offTs = s.off_ts
        offState = OffState(kernel: UInt32(s.off_state))
        waiting = s.waiting != 0
        waitTs = s.wait_ts
        waitCPU = s.wait_cpu
        seenIn = s.seen_in != 0
    }

    /// No event touched it in the whole run: it ran or waited throughout, so
    /// its on-core time comes from the kernel's books (se.sum_exec_runtime).
    public var untouched: Bool { !seenIn && offTs == 0 && !waiting }
}
