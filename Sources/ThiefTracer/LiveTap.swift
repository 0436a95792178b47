import CThiefBPF
import ThiefCore

/// What `thief watch` plugs into a live run (`Tracer.tap`): every sample as
/// it is drained, a tick after each drain, and the run's end while tracing
/// is still attached. A run with a tap never holds records in the kernel
/// side (TracerOptions.holdsRecords): each arrives within a poll period.
public protocol LiveTap: AnyObject {
    /// Tracing is live: the run's header and session, and a probe of the kernel side.
    func live(header: RunHeader, session: Session, probe: LiveProbe) throws
    /// One ring-buffer sample (whole records), before the session folds it.
    func samples(_ data: UnsafeRawPointer, _ size: Int)
    /// After each drain; every record stamped before `now` has been drained.
    func tick(now: UInt64) throws
    /// The run ends (a stop signal, the duration, the target's end), with
    /// every record before `now` drained; tracing is still attached.
    func ending(now: UInt64) throws
}

/// Reads of the kernel side while the run goes on.
public struct LiveProbe {
    let tb: OpaquePointer

    /// Every thread the kernel side tracks, with what it holds open for it now.
    public func openThreads() -> [RunTrailer.OpenThread] {
        BPFMaps.openThreads(tb).map { RunTrailer.OpenThread(tid: $0.tid, $0.state) }
    }

    /// Records lost (ring buffer full) and switches rebuilt, so far.
    public func counters() -> (lost: UInt64, missed: UInt64) {
        let c = BPFMaps.countersSoFar(tb)
        return (c.lost, c.healed)
    }

    /// Drains the ring buffer now (records go to the session and the tap).
    public func drain() throws {
        try TracerError.check(thief_bpf_consume(tb), .kernel, "reading the ring buffer")
    }
}
