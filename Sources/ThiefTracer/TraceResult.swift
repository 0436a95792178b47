import ThiefCore

/// What a run produced.
public struct TraceResult {
    public let window: Window
    public let meta: ReportMeta
    public let header: RunHeader
    public let trailer: RunTrailer
    /// The report of the whole run, or of its last interval.
    public var report: Report { window.report(meta) }
}
