import ThiefCore
import ThiefReport
import ThiefTracer

/// A Perfetto trace file (`--trace FILE`, `thief report --format perfetto`):
/// written as the events come, buffered in 256 KiB writes to a temporary
/// file next to FILE (SafeFile), renamed over FILE when the run ends.
final class PerfettoSink: @unchecked Sendable {
    let path: String
    private var file: SafeFile.AtomicWriter?
    private var trace: PerfettoTrace?
    private var buffer: [UInt8] = []

    init(path: String) { self.path = path }

    /// Starts the trace at the run's start, and follows the session's events.
    func start(_ header: RunHeader, observe session: Session) throws {
        try start(header)
        session.observer = { [weak self] in self?.trace?.consume($0) }
    }

    func start(_ header: RunHeader) throws {
        let file = try SafeFile.AtomicWriter(path)
        self.file = file
        buffer.reserveCapacity(1 << 18)
        trace = try PerfettoTrace(header: header) { [unowned self] bytes in
            buffer += bytes
            if buffer.count >= 1 << 18 { try flush() }
        }
    }

    func consume(_ event: Event) { trace?.consume(event) }

    private func flush() throws {
        try file?.write(buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    /// The run ended at `end` (CLOCK_MONOTONIC) with `lost` records dropped.
    func finish(end: UInt64, lost: UInt64, worst: [Report.WorstWait]? = nil) throws {
        try trace?.finish(end: end, lostEvents: lost, worstWaits: worst ?? [])
        try flush()
        try file?.commit()
    }

    /// Wires a live run: the trace starts when tracing is live.
    func install(_ opts: inout TracerOptions) {
        // A file that cannot be written is exit 2 (TracerError), as --record's is; it was a usage error (64).
        opts.onLive = { [self] header, session in
            do { try start(header, observe: session) } catch { throw TracerError(.output, "--trace: \(error)") }
        }
    }

    var bytesWritten: Int { trace?.bytesWritten ?? 0 }
}
