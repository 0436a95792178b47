/// A stretch of one target thread's time: on-core, off-core in a state, or
/// runnable but waiting. The timeline hands each window its part of it.
public struct Episode: Sendable {
    public enum Kind: Sendable, Equatable {
        case onCore
        case offCore(OffState)
        case wait
    }

    public var kind: Kind
    public var tid: UInt32
    public var tgid: UInt32
    /// Where it ran (on-core), or where it was switched in (off-core, wait).
    public var cpu: UInt16
    /// Its start, clipped to the run's start.
    public var start: UInt64
    public var end: UInt64
    /// On-core: ns of it that ran while other targets waited on its CPU, and one of them.
    public var contended: UInt64 = 0
    public var waiter: UInt32 = 0
    /// A wait: what the kernel measured of its causes.
    public var causes = WaitCauses.Measured()
    /// A wait: the run queue it waited on last (`WaitEnded.queueCPU`).
    public var queueCPU: UInt32 = 0
}
