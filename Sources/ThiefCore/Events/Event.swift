/// What the kernel side reported, decoded once (`EventDecoder`): the only
/// form in which the rest of thief sees a record. Times are CLOCK_MONOTONIC
/// ns; a `start` of 0 means the episode began before tracing did.
public enum Event: Sendable {
    case slice(SliceEnded)
    case offCore(OffCoreEnded)
    case wait(WaitEnded)
    case steal(Steal)
    case interrupt(Interrupt)
    case migration(Migration)
    case threadBorn(ThreadChange)
    case threadExec(ThreadChange)
    case threadExit(ThreadChange)
    /// Who woke a target whose wait just ended (ABI 3).
    case wakeup(Wakeup)
    /// A culprit's scheduling identity, sent once per task (ABI 3).
    case identity(TaskIdentity)
    /// A workqueue item that ran while a target waited (ABI 3).
    case work(WorkItem)

    /// When it happened: the end of an episode, or the event's time.
    public var time: UInt64 {
        switch self {
        case .slice(let e): e.end
        case .offCore(let e): e.end
        case .wait(let e): e.end
        case .steal(let e): e.end
        case .interrupt(let e): e.end
        case .migration(let e): e.time
        case .threadBorn(let e), .threadExec(let e), .threadExit(let e): e.time
        case .wakeup(let e): e.end
        case .identity(let e): e.time
        case .work(let e): e.end
        }
    }
}

/// A target thread's on-core slice ended (it switched out).
public struct SliceEnded: Sendable {
    public var tid: UInt32
    public var tgid: UInt32
    public var cpu: UInt16
    public var start: UInt64
    public var end: UInt64
    /// Growth of se.sum_exec_runtime over the slice (the kernel's own books); 0: unknown.
    public var ran: UInt64
    /// The state of the off-core interval the switch-out starts.
    public var next: OffState
    /// ns of the slice that ran while other targets waited on its CPU (contention among targets).
    public var contended: UInt64 = 0
    /// contended > 0: a target thread that waited meanwhile.
    public var waiter: UInt32 = 0

    public init(
        tid: UInt32, tgid: UInt32, cpu: UInt16, start: UInt64, end: UInt64, ran: UInt64, next: OffState,
        contended: UInt64 = 0, waiter: UInt32 = 0
    ) {
        self.tid = tid
        self.tgid = tgid
        self.cpu = cpu
        self.start = start
        self.end = end
        self.ran = ran
        self.next = next
        self.contended = contended
        self.waiter = waiter
    }
}

/// A target thread's off-core interval ended (it switched in).
public struct OffCoreEnded: Sendable {
    public var tid: UInt32
    public var tgid: UInt32
    public var cpu: UInt16
    public var start: UInt64
    public var end: UInt64
    public var state: OffState

    public init(tid: UInt32, tgid: UInt32, cpu: UInt16, start: UInt64, end: UInt64, state: OffState) {
        self.tid = tid
        self.tgid = tgid
        self.cpu = cpu
        self.start = start
        self.end = end
        self.state = state
    }
}

/// A target thread's runnable wait ended (it switched in on `cpu`).
public struct WaitEnded: Sendable {
    public var tid: UInt32
    public var tgid: UInt32
    public var cpu: UInt16
    /// The run queue it last waited on.
    public var queueCPU: UInt32
    public var start: UInt64
    public var end: UInt64
    /// What the kernel measured of its causes (all 0 before ABI 3).
    public var causes: WaitCauses.Measured

    public init(
        tid: UInt32, tgid: UInt32, cpu: UInt16, queueCPU: UInt32, start: UInt64, end: UInt64,
        causes: WaitCauses.Measured = .init()
    ) {
        self.tid = tid
        self.tgid = tgid
        self.cpu = cpu
        self.queueCPU = queueCPU
        self.start = start
        self.end = end
        self.causes = causes
    }
}

/// Another task ran on `cpu` for `duration` ns, ending at `end`, while
/// target thread `victim` waited on that run queue.
public struct Steal: Sendable {
    public var victim: UInt32
    public var cpu: UInt16
    public var start: UInt64
    public var end: UInt64
    public var duration: UInt64
    public var pid: UInt32
    public var tgid: UInt32
    public var kthread: Bool
    public var comm: Comm

    public init(
        victim: UInt32, cpu: UInt16, start: UInt64, end: UInt64, duration: UInt64, pid: UInt32, tgid: UInt32,
        kthread: Bool, comm: Comm
    ) {
        self.victim = victim
        self.cpu = cpu
        self.start = start
        self.end = end
        self.duration = duration
        self.pid = pid
        self.tgid = tgid
        self.kthread = kthread
        self.comm = comm
    }
}

/// An interrupt ran on `cpu` during target thread `tid`'s slice.
public struct Interrupt: Sendable {
    public var tid: UInt32
    public var tgid: UInt32
    public var cpu: UInt16
    public var start: UInt64
    public var end: UInt64
    /// Own time: nested handlers excluded.
    public var duration: UInt64
    /// nil: a kind this thief does not know (a crafted or newer recording).
    public var kind: IRQKind?
    /// IRQ line, softirq vector or system vector id.
    public var number: UInt32
    /// The handler's name (hard IRQs).
    public var handler: Comm

    /// The source's name: the handler of a hard IRQ, the vector's name otherwise.
    public var name: String {
        switch kind {
        case .soft: SoftIRQ.name(number)
        case .systemVector: SystemVector.name(number)
        default: handler.string
        }
    }

    public init(
        tid: UInt32, tgid: UInt32, cpu: UInt16, start: UInt64, end: UInt64, duration: UInt64, kind: IRQKind?,
        number: UInt32, handler: Comm
    ) {
        self.tid = tid
        self.tgid = tgid
        self.cpu = cpu
        self.start = start
        self.end = end
        self.duration = duration
        self.kind = kind
        self.number = number
        self.handler = handler
    }
}

/// A target thread moved from one CPU to another.
public struct Migration: Sendable {
    public var tid: UInt32
    public var tgid: UInt32
    public var time: UInt64
    public var from: UInt32
    public var to: UInt32
    public var kind: MigrationKind

    public init(tid: UInt32, tgid: UInt32, time: UInt64, from: UInt32, to: UInt32, kind: MigrationKind) {
        self.tid = tid
        self.tgid = tgid
        self.time = time
        self.from = from
        self.to = to
        self.kind = kind
    }
}

/// A target thread was born (`parent` forked it), exec'd, or exited; `comm`
/// is its name then.
public struct ThreadChange: Sendable {
    public var tid: UInt32
    public var tgid: UInt32
    public var time: UInt64
    public var parent: UInt32
    public var comm: Comm

    public init(tid: UInt32, tgid: UInt32, time: UInt64, parent: UInt32, comm: Comm) {
        self.tid = tid
        self.tgid = tgid
        self.time = time
        self.parent = parent
        self.comm = comm
    }
}
