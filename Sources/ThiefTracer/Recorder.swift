import Foundation
import ThiefCore

/// Writes a recording (TraceFile) as the run goes: the header at once,
/// records in frames of up to 1 MiB, the trailer at the end. Written to
/// FILE.tmp and renamed at the end, so FILE is never a torn recording.
final class Recorder {
    let path: String
    let tmp: String
    let fd: Int32
    var buffer: [UInt8] = []
    /// The kernel's counters as each interval closed (--interval), for the trailer.
    var intervals: [RunTrailer.IntervalCounters] = []

    init(path: String, header: RunHeader) throws {
        self.path = path
        tmp = path + ".tmp"
        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw TracerError(.output, "cannot write \(path): \(String(cString: strerror(errno)))") }
        buffer.reserveCapacity(1 << 20)
        try write(TraceFile.encodeStart(header))
    }

    deinit { close(fd) }

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
        guard fsync(fd) == 0, rename(tmp, path) == 0 else {
            throw TracerError(.output, "cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }

    private func write(_ bytes: [UInt8]) throws {
        var done = 0
        while done < bytes.count {
            let n = bytes[done...].withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw TracerError(.output, "cannot write \(path): \(String(cString: strerror(errno)))") }
            done += n
        }
    }
}
