/// When a trigger starts a capture, joins the one being collected, or is
/// suppressed: a trigger inside a capture's after-window joins it (the
/// window then runs `afterNs` past the latest trigger, capped at `maxAfterNs`
/// past the first); otherwise `cooldownNs` after the previous capture's
/// trigger and `maxPerHour` captures in any hour suppress it. Suppressed
/// triggers are counted until the next capture takes the count.
public struct CapturePolicy: Sendable {
    public var afterNs: UInt64
    public var maxAfterNs: UInt64
    public var cooldownNs: UInt64 = 0
    public var maxPerHour: Int?
    /// The hour of `maxPerHour` (a live test shortens it to see the next capture count what it suppressed).
    public var hourNs: UInt64 = 3_600_000_000_000

    /// The capture being collected: its first trigger and where its after-window ends.
    public private(set) var open: (trigger: UInt64, end: UInt64)?
    /// The triggers of captures started in the last hour, oldest first.
    private var recent: [UInt64] = []
    public private(set) var suppressed = 0

    public enum Decision: Equatable, Sendable {
        /// A new capture, whose after-window ends at `end`.
        case start(end: UInt64)
        /// Joined the open capture; its after-window now ends at `end`.
        case join(end: UInt64)
        case suppress
    }

    public init(afterNs: UInt64, maxAfterNs: UInt64) {
        self.afterNs = afterNs
        self.maxAfterNs = max(maxAfterNs, afterNs)
    }

    public mutating func fire(at t: UInt64) -> Decision {
        if let o = open, t <= o.end {
            let end = min(max(o.end, t &+ afterNs), o.trigger &+ maxAfterNs)
            open = (o.trigger, end)
            return .join(end: end)
        }
        recent.removeAll { t > $0 && t - $0 >= hourNs }
        if let last = recent.last, cooldownNs > 0, t >= last, t - last < cooldownNs {
            suppressed += 1
            return .suppress
        }
        if let m = maxPerHour, recent.count >= m {
            suppressed += 1
            return .suppress
        }
        recent.append(t)
        open = (t, t &+ afterNs)
        return .start(end: t &+ afterNs)
    }

    /// The open capture was written: returns the suppressed count it reports, and resets it.
    public mutating func closed() -> Int {
        open = nil
        defer { suppressed = 0 }
        return suppressed
    }
}
