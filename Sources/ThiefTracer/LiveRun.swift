import ThiefCore

/// What a run holds once tracing is live: what the run loop and the finish share.
struct LiveRun {
    /// The shim's handle (thief_bpf_open).
    let tb: OpaquePointer
    let box: SessionBox
    let session: Session
    let header: RunHeader
    /// The target's threads at the window's start.
    let seeds: [LiveSeed]
    let child: LaunchedCommand?
    /// `thief watch`'s view of the run.
    let tap: LiveTap?
    let intervals: IntervalReporter
    /// Names culprits (cgroup paths, kernel symbols) before each report.
    let namer: CulpritNamer
    /// The window's start, CLOCK_MONOTONIC ns.
    let start: UInt64
    /// thief's CPU time before attaching (--self-cost).
    let cpuAtStart: UInt64
    /// The quota that throttles the target, looked up again as it is throttled.
    let quota: CPUQuotaWatch
}

/// Why a run ended, as the trailer says it.
enum EndReason: String {
    case signal
    case duration
    case targetExited = "target-exited"
}
