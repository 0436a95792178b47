/// One section of the report, computed from one window's share of the event
/// stream. A `Window` runs a fixed set of analyses, each a struct it calls
/// directly (static dispatch: the consumer's hot path has no existential
/// boxing). A new section is a new analysis, a field in `Window`, and its
/// rendering.
public protocol Analysis {
    associatedtype Section

    /// An event that is not an episode (steal, interrupt, migration, a
    /// thread's birth, exec or exit), in the window in which it happened.
    mutating func consume(_ event: Event, in span: WindowSpan)

    /// `portion` ns of an episode fall inside this window; `length` is the
    /// whole episode's length when it ended in this window (it counts once,
    /// there), nil for the part of one that goes on past the window's end.
    mutating func consume(_ episode: Episode, portion: UInt64, length: UInt64?)

    /// The section of the report, once the window is closed.
    func section(_ context: SectionContext) -> Section
}

extension Analysis {
    @inline(__always)
    public mutating func consume(_ event: Event, in span: WindowSpan) {}
    @inline(__always)
    public mutating func consume(_ episode: Episode, portion: UInt64, length: UInt64?) {}
}

/// Where a window lies in the run.
public struct WindowSpan: Sendable {
    public var start: UInt64
    /// Where episodes from before tracing are clipped.
    public var runStart: UInt64
    /// The run's CPU topology (nil: unknown), for distances between CPUs.
    public var topology: Topology? = nil

    public init(start: UInt64, runStart: UInt64, topology: Topology? = nil) {
        (self.start, self.runStart, self.topology) = (start, runStart, topology)
    }
}

/// What every section may need once the window is closed.
public struct SectionContext: Sendable {
    public var start: UInt64
    public var end: UInt64
    /// Sum of the per-thread windows: the time the target's threads existed.
    public var threadTime: UInt64
}
