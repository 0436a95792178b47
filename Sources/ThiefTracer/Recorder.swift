import FoundationEssentials
import Glibc
import ThiefCore

/// Writes a recording (TraceFile) as the run goes: the header at once,
/// records in frames of up to 1 MiB, the trailer at the end. Written to a
/// temporary file next to FILE (SafeFile.AtomicWriter) and renamed over FILE
/// at the end, so FILE is never a torn recording.
final class Recorder {
    let path: String
    let file: SafeFile.AtomicWriter
    var buffer: [UInt8] = []
    /// The kernel's counters as each interval closed (--interval), for the trailer.
    var intervals: [RunTrailer.IntervalCounters] = []

    init(path: String, header: RunHeader) throws {
        self.path = path
        do { file = try SafeFile.AtomicWriter(path) } catch { throw TracerError(.output, "\(error)") }
        buffer.reserveCapacity(1 << 20)
        try write(TraceFile.encodeStart(header))
    }

    @inline(__always)
    func append(_ data: UnsafeRawPointer, _ size: Int) {
        guard size >= Record.size, size % Record.size == 0 else { return }
        buffer.append(contentsOf: UnsafeRawBufferPointer(start: data, count: size))
    }

    func flushIfNeeded() throws {
        if buffer.count >= 1 << 20 { try flush() }
    }

    func flush() throws {
        guard !buffer.isEmpty else { return }
        try write(TraceFile.encodeRecords(buffer))
        buffer.removeAll(keepingCapacity: true)
    }

    /// An interval closed: what its report said of lost and missed events.
    func noteInterval(_ index: Int, lost: UInt64, missed: UInt64) {
        intervals.append(RunTrailer.IntervalCounters(index: index, lostEvents: lost, missedSwitchEvents: missed))
    }

    func finish(_ trailer: RunTrailer) throws {
        try flush()
        var trailer = trailer
        if !intervals.isEmpty { trailer.intervals = intervals }
        try write(TraceFile.encodeEnd(trailer))
        do { try file.commit() } catch { throw TracerError(.output, "\(error)") }
    }

    private func write(_ bytes: [UInt8]) throws {
        do { try file.write(bytes) } catch { throw TracerError(.output, "\(error)") }
    }
}
