/// A capture's `trigger.json` (schema 1; keys are only added): the rule that
/// fired, the value, when, the wait itself for a wait trigger, the window the
/// capture covers, and the triggers it absorbed or suppressed.
public struct CaptureTrigger: Codable, Sendable, Equatable {
    public var schema = 1
    /// The rule's text (`wait > 20ms`, `runnable_wait.tasks > 30% over 1s`, `SIGUSR1`).
    public var rule: String
    /// "wait", "window" or "signal".
    public var kind: String
    /// The value that fired: ns for a wait (its length) and for duration
    /// metrics, a 0…1 share for percentages, a count otherwise.
    public var value: Double
    /// When it fired (CLOCK_MONOTONIC ns; a wait's end), and on the wall clock.
    public var timeNs: UInt64
    public var time: String
    /// When thief saw it (CLOCK_MONOTONIC ns) and how long after `time_ns`.
    public var detectedNs: UInt64
    public var latencyNs: UInt64
    /// A wait trigger's wait.
    public var wait: Wait?
    /// That wait broken down as the worst waits are (who held the CPU,
    /// interrupts, idle, throttled, steal, other, the waker), from the capture.
    public var breakdown: Report.WorstWait?
    public var capture: Window
    /// Triggers that fired inside the after-window and joined this capture.
    public var joined: [Joined] = []
    /// Triggers suppressed (--cooldown, --max-per-hour) since the previous capture.
    public var suppressed = 0

    public struct Wait: Codable, Sendable, Equatable {
        public var tid: UInt32
        public var tgid: UInt32
        public var comm: String
        public var cpu: UInt32
        public var queueCpu: UInt32
        public var startNs: UInt64
        public var endNs: UInt64
        public var durationNs: UInt64

        public init(
            tid: UInt32, tgid: UInt32, comm: String, cpu: UInt32, queueCpu: UInt32, startNs: UInt64, endNs: UInt64,
            durationNs: UInt64
        ) {
            (self.tid, self.tgid, self.comm, self.cpu, self.queueCpu) = (tid, tgid, comm, cpu, queueCpu)
            (self.startNs, self.endNs, self.durationNs) = (startNs, endNs, durationNs)
        }

        enum CodingKeys: String, CodingKey {
            case tid, tgid, comm, cpu, queueCpu = "queue_cpu", startNs = "start_ns", endNs = "end_ns"
            case durationNs = "duration_ns"
        }
    }

    /// What the capture covers (CLOCK_MONOTONIC ns): asked `before_ns` and
    /// `after_ns` around the trigger; it covers [start_ns, end_ns]. Less
    /// before than asked: the watch had not run that long, or --memory held
    /// less (`memory_cut`); less after: the watch ended first (`cut_short`).
    public struct Window: Codable, Sendable, Equatable {
        public var startNs: UInt64
        public var endNs: UInt64
        public var beforeNs: UInt64
        public var afterNs: UInt64
        public var coversBeforeNs: UInt64
        public var coversAfterNs: UInt64
        public var memoryCut: Bool
        public var cutShort: Bool
        public var records: Int

        public init(
            startNs: UInt64, endNs: UInt64, beforeNs: UInt64, afterNs: UInt64, coversBeforeNs: UInt64,
            coversAfterNs: UInt64, memoryCut: Bool, cutShort: Bool, records: Int
        ) {
            (self.startNs, self.endNs, self.beforeNs, self.afterNs) = (startNs, endNs, beforeNs, afterNs)
            (self.coversBeforeNs, self.coversAfterNs) = (coversBeforeNs, coversAfterNs)
            (self.memoryCut, self.cutShort, self.records) = (memoryCut, cutShort, records)
        }

        enum CodingKeys: String, CodingKey {
            case startNs = "start_ns", endNs = "end_ns", beforeNs = "before_ns", afterNs = "after_ns"
            case coversBeforeNs = "covers_before_ns", coversAfterNs = "covers_after_ns"
            case memoryCut = "memory_cut", cutShort = "cut_short", records
        }
    }

    /// A trigger that fired inside the after-window.
    public struct Joined: Codable, Sendable, Equatable {
        public var rule: String
        public var value: Double
        public var timeNs: UInt64

        public init(rule: String, value: Double, timeNs: UInt64) {
            (self.rule, self.value, self.timeNs) = (rule, value, timeNs)
        }

        enum CodingKeys: String, CodingKey { case rule, value, timeNs = "time_ns" }
    }

    public init(
        rule: String, kind: String, value: Double, timeNs: UInt64, time: String, detectedNs: UInt64, wait: Wait?,
        capture: Window
    ) {
        (self.rule, self.kind, self.value, self.timeNs, self.time) = (rule, kind, value, timeNs, time)
        (self.detectedNs, self.wait, self.capture) = (detectedNs, wait, capture)
        latencyNs = detectedNs > timeNs ? detectedNs - timeNs : 0
    }

    enum CodingKeys: String, CodingKey {
        case schema, rule, kind, value, timeNs = "time_ns", time, detectedNs = "detected_ns"
        case latencyNs = "latency_ns", wait, breakdown, capture, joined, suppressed
    }
}
