/// Why a runnable wait lasted: every ns of it in exactly one cause, so the
/// causes sum to the wait.
///
/// The kernel side measures, for the run queue(s) the thread waited on, how
/// long other targets ran, how long the CPU sat idle, how much the hypervisor
/// stole (the kernel's steal clock) and how long the thread's cfs_rq was
/// throttled; other tasks ran the rest. Throttling overlaps the others (a
/// throttled thread cannot run whatever the CPU does meanwhile), so it is
/// taken out of idle first, then other tasks, then targets. A wait that began
/// before tracing has no measured start: all of it is `other`.
public struct WaitCauses: Sendable, Hashable, Codable {
    public var tasks: UInt64 = 0
    public var targets: UInt64 = 0
    public var throttled: UInt64 = 0
    public var idle: UInt64 = 0
    public var steal: UInt64 = 0
    public var other: UInt64 = 0

    /// The kernel's raw numbers for one wait (`struct thief_rec_wait`).
    public struct Measured: Sendable, Hashable {
        public var targets: UInt64 = 0
        public var idle: UInt64 = 0
        public var steal: UInt64 = 0
        public var throttled: UInt64 = 0
        /// False: the wait began before tracing, or came from a recording without causes.
        public var known = false

        public init(
            targets: UInt64 = 0, idle: UInt64 = 0, steal: UInt64 = 0, throttled: UInt64 = 0, known: Bool = false
        ) {
            self.targets = targets
            self.idle = idle
            self.steal = steal
            self.throttled = throttled
            self.known = known
        }
    }

    public init() {}

    public init(tasks: UInt64, targets: UInt64, throttled: UInt64, idle: UInt64, steal: UInt64, other: UInt64) {
        (self.tasks, self.targets, self.throttled) = (tasks, targets, throttled)
        (self.idle, self.steal, self.other) = (idle, steal, other)
    }

    /// A wait of `length` ns with what the kernel measured. Measurements
    /// that do not fit (clock skew between CPUs) are clipped, in the order
    /// steal, targets, idle: the sum is `length` whatever they say.
    public init(length: UInt64, measured m: Measured) {
        guard m.known else {
            other = length
            return
        }
        var left = length
        func take(_ x: UInt64) -> UInt64 {
            let t = min(x, left)
            left -= t
            return t
        }
        steal = take(m.steal)
        targets = take(m.targets)
        idle = take(m.idle)
        tasks = left
        // Straight-line, not a loop over key paths: this runs for every wait
        // the consumer folds, and key paths cost a generic-metadata lookup
        // and an array each time (11% of the live consumer's CPU).
        var thr = min(m.throttled, length - steal)
        func moveThrottled(_ x: inout UInt64) {
            let t = min(thr, x)
            x -= t
            thr -= t
        }
        let before = idle &+ tasks &+ targets
        moveThrottled(&idle)
        moveThrottled(&tasks)
        moveThrottled(&targets)
        throttled = before - (idle &+ tasks &+ targets)
    }

    public var total: UInt64 { tasks &+ targets &+ throttled &+ idle &+ steal &+ other }

    public static func += (a: inout WaitCauses, b: WaitCauses) {
        a.tasks &+= b.tasks
        a.targets &+= b.targets
        a.throttled &+= b.throttled
        a.idle &+= b.idle
        a.steal &+= b.steal
        a.other &+= b.other
    }

    /// The same proportions for `portion` ns of a wait (the part one window
    /// gets), exact in sum: the remainder of the rounding goes to the largest cause.
    public func scaled(to portion: UInt64) -> WaitCauses {
        let whole = total
        if portion >= whole { return self }
        if whole == 0 { return WaitCauses(tasks: 0, targets: 0, throttled: 0, idle: 0, steal: 0, other: portion) }
        func part(_ x: UInt64) -> UInt64 {
            UInt64((Double(x) / Double(whole) * Double(portion)).rounded(.down))
        }
        var out = WaitCauses(
            tasks: part(tasks), targets: part(targets), throttled: part(throttled), idle: part(idle),
            steal: part(steal), other: part(other))
        let rest = portion - min(portion, out.total)
        // The largest cause, the first in this order on a tie.
        let m = Swift.max(Swift.max(tasks, targets), Swift.max(throttled, idle), Swift.max(steal, other))
        if tasks == m {
            out.tasks += rest
        } else if targets == m {
            out.targets += rest
        } else if throttled == m {
            out.throttled += rest
        } else if idle == m {
            out.idle += rest
        } else if steal == m {
            out.steal += rest
        } else {
            out.other += rest
        }
        return out
    }
}
