import ThiefCore

public struct TracerOptions: Sendable {
    public var target: TargetSpec
    /// Stop after this many ns (nil: until Ctrl+C, SIGTERM or the target's exit).
    public var duration: UInt64?
    public var traceIRQs = true
    /// Force raw_tp instead of tp_btf (the fallback path).
    public var rawTracepoints = false
    /// 4 MiB holds ~50 ms of records at 1.2 M records/s (3 records of 64
    /// bytes and an 8-byte header per switch): 5 drains' worth, and the
    /// consumer drains sooner when the last drain was busy. Each MiB costs
    /// 2 MiB of RSS (the consumer maps the data pages twice); 2 MiB lost
    /// records in the capacity run when the machine was loaded.
    public var ringBufferBytes: UInt32 = 4 << 20
    /// The consumer drains on this timer (the kernel side never wakes it)...
    public var pollMillis: Int32 = 10
    /// ...or on this one after a drain that found more than 1/8 of the buffer full.
    public var busyPollMillis: Int32 = 1
    /// Attach the same programs but make each return at once: the cost floor
    /// any tracer of these tracepoints pays (for the overhead benchmark).
    public var noopPrograms = false
    /// Report every this many ns (nil: one report for the whole run).
    public var interval: UInt64?
    /// Measure and report what tracing cost (BPF run time, consumer CPU).
    public var selfCost = false
    /// Keep a status line on stderr while tracing (the CLI sets it for a terminal).
    public var statusLine = false
    /// Called once tracing is live, with the run's header and session (a
    /// Perfetto trace sets the session's observer here).
    public var onLive: (@Sendable (RunHeader, Session) throws -> Void)?
    /// With interval: stop after this many intervals.
    public var intervalCount: Int?
    /// Save the raw records and what rebuilds the report to this file.
    public var recordPath: String?
    /// How many of the longest runnable waits each report details (`--worst N`; 0: none).
    public var worstWaits = WorstWaits.defaultLimit
    /// Whom a launched command (`-- CMD`) runs as: under sudo, the invoking user.
    public var runAs: RunAs = .invoker
    /// Records must reach the consumer within a poll period (`thief watch`
    /// decides on each wait as it ends): the kernel side holds none back.
    public var promptRecords = false

    public init(target: TargetSpec, duration: UInt64? = nil) {
        self.target = target
        self.duration = duration
    }
}
