/// Time runnable but not running: preempted, or woken and waiting for a CPU.
public struct RunnableWait: Analysis {
    public private(set) var waits = Distribution()

    public init() {}

    @inline(__always)
    public mutating func consume(_ e: Episode, portion: UInt64, length: UInt64?) {
        guard e.kind == .wait else { return }
        if let length { waits.record(length: length, portion: portion) } else { waits.addPortion(portion) }
    }

    public func section(_ context: SectionContext) -> Report.Stats {
        waits.stats(threadTime: context.threadTime)
    }
}
