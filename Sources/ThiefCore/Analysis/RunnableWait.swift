/// Time runnable but not running: preempted, or woken and waiting for a CPU.
public struct RunnableWait: Analysis {
    public private(set) var waits = Distribution()
    /// Every ns of it by cause; sums to the waits' total.
    public private(set) var causes = WaitCauses()

    public init() {}

    @inline(__always)
    public mutating func consume(_ e: Episode, portion: UInt64, length: UInt64?) {
        guard e.kind == .wait else { return }
        causes += Self.causes(of: e, portion: portion, length: length)
        if let length { waits.record(length: length, portion: portion) } else { waits.addPortion(portion) }
    }

    /// The causes of a window's `portion` of a wait. Its causes are known
    /// when it ends; the window that closes while it is still open counts
    /// its part as `other`, and the window where it ends splits its rest
    /// in the wait's proportions.
    @inline(__always)
    public static func causes(of e: Episode, portion: UInt64, length: UInt64?) -> WaitCauses {
        guard let length else {
            return WaitCauses(tasks: 0, targets: 0, throttled: 0, idle: 0, steal: 0, other: portion)
        }
        let whole = WaitCauses(length: length, measured: e.causes)
        return portion == length ? whole : whole.scaled(to: portion)
    }

    public func section(_ context: SectionContext) -> Report.Stats {
        var stats = waits.stats(threadTime: context.threadTime)
        stats.byCause = Report.ByCause(causes)
        return stats
    }
}
