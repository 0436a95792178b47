/// A workqueue item's function ran in kworker `pid` on `cpu` for
/// `duration` ns, ending at `end`, while target thread `victim` waited there.
public struct WorkItem: Sendable {
    public var victim: UInt32
    public var cpu: UInt16
    public var end: UInt64
    public var duration: UInt64
    /// Kernel address of the work function.
    public var function: UInt64
    public var pid: UInt32
    public var comm: Comm

    public init(victim: UInt32, cpu: UInt16, end: UInt64, duration: UInt64, function: UInt64, pid: UInt32, comm: Comm) {
        self.victim = victim
        self.cpu = cpu
        self.end = end
        self.duration = duration
        self.function = function
        self.pid = pid
        self.comm = comm
    }
}
