/// Who woke target thread `tid` from a sleep, and when it then ran: taken in
/// the waker's context (sched_waking, or the sched_wakeup or migration of the
/// same try_to_wake_up when it finishes on the waker's CPU), sent with the
/// wait's end.
public struct Wakeup: Sendable {
    public var tid: UInt32
    public var tgid: UInt32
    /// Where the woken thread then ran.
    public var cpu: UInt16
    /// The wake-up: sched_waking when the thread was woken on another CPU,
    /// else sched_wakeup (the same call, under a microsecond later).
    public var waking: UInt64
    /// Its switch-in.
    public var end: UInt64
    public var waker: Waker

    /// Wake-up to run, ns.
    public var latency: UInt64 { end > waking ? end - waking : 0 }

    public init(tid: UInt32, tgid: UInt32, cpu: UInt16, waking: UInt64, end: UInt64, waker: Waker) {
        self.tid = tid
        self.tgid = tgid
        self.cpu = cpu
        self.waking = waking
        self.end = end
        self.waker = waker
    }
}

/// The context a wake-up came from.
public struct Waker: Sendable {
    public enum Context: String, Sendable, Codable {
        case task
        case hardIRQ = "hardirq"
        case softIRQ = "softirq"
    }

    /// The waking task; in interrupt context, whichever task was interrupted.
    public var pid: UInt32
    public var tgid: UInt32
    public var comm: Comm
    public var kthread: Bool
    public var context: Context
    public var cpu: UInt16

    public init(pid: UInt32, tgid: UInt32, comm: Comm, kthread: Bool, context: Context, cpu: UInt16) {
        self.pid = pid
        self.tgid = tgid
        self.comm = comm
        self.kthread = kthread
        self.context = context
        self.cpu = cpu
    }
}
