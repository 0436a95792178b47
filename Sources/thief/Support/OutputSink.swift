import Foundation
import ThiefCore
import ThiefReport

/// Where reports go: stdout, or a file written so that a reader never sees
/// half a report. Appends (csv, ndjson, text) are one write each, undone with
/// ftruncate if the write fails (a full disk never leaves a torn row);
/// replacements (json, openmetrics) go to FILE.tmp and are renamed over FILE.
struct OutputSink {
    struct Failure: Error, CustomStringConvertible {
        let description: String
        let usage: Bool
    }

    let format: OutputFormat
    let path: String?
    let perThread: Bool

    init(_ o: ReportOptions) {
        format = o.format
        path = o.output
        perThread = o.perThread
    }

    /// Before tracing: an existing CSV file must have our header.
    func checkExisting() throws {
        guard format == .csv, let path, let fh = FileHandle(forReadingAtPath: path) else { return }
        defer { try? fh.close() }
        let head = (try? fh.read(upToCount: 4096)) ?? Data()
        if !CSVRenderer.canAppend(toFileStarting: head) {
            throw Failure(description: "\(path) has a different CSV header; refusing to mix rows (write to a new file, or move it aside)", usage: true)
        }
    }

    func render(_ r: Report, fileIsEmpty: Bool) throws -> String {
        switch format {
        case .text: return TextRenderer.render(r) + (r.interval != nil ? "\n" : "")
        case .json: return try JSONRenderer.render(r)
        case .ndjson: return try JSONRenderer.renderLine(r)
        case .csv: return (fileIsEmpty ? CSVRenderer.header : "") + CSVRenderer.rows(r, perThread: perThread)
        case .openmetrics: return OpenMetricsRenderer.render(r)
        }
    }

    func write(_ r: Report) throws {
        guard let path else {
            // write(2), not FileHandle.write, which traps on EPIPE or ENOSPC.
            try writeAll(STDOUT_FILENO, Array(try render(r, fileIsEmpty: !Self.stdoutStarted).utf8), "standard output")
            Self.stdoutStarted = true
            return
        }
        switch format {
        case .json where Self.jsonWritten.contains(path): try append(path, r) // --repeat N: every report, one after another
        case .json, .openmetrics:
            try replace(path, Array(try render(r, fileIsEmpty: true).utf8))
            if format == .json { Self.jsonWritten.insert(path) }
        case .csv, .ndjson, .text: try append(path, r)
        }
    }

    /// Whether the CSV header already went to stdout in this run.
    nonisolated(unsafe) static var stdoutStarted = false
    /// JSON files this process already replaced: later reports (--repeat) append to them.
    nonisolated(unsafe) static var jsonWritten: Set<String> = []

    private func append(_ path: String, _ r: Report) throws {
        try checkExisting()
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure(path) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw failure(path) }
        let bytes = Array(try render(r, fileIsEmpty: st.st_size == 0).utf8)
        do {
            try writeAll(fd, bytes, path)
            guard fsync(fd) == 0 else { throw failure(path) }
        } catch {
            _ = ftruncate(fd, st.st_size) // no torn row: undo the partial write
            throw error
        }
    }

    private func replace(_ path: String, _ bytes: [UInt8]) throws {
        let tmp = path + ".tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure(tmp) }
        do {
            try writeAll(fd, bytes, tmp)
            guard fsync(fd) == 0 else { throw failure(tmp) }
            close(fd)
        } catch {
            close(fd)
            unlink(tmp)
            throw error
        }
        guard rename(tmp, path) == 0 else { let f = failure(path); unlink(tmp); throw f }
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8], _ path: String) throws {
        var done = 0
        while done < bytes.count {
            let n = bytes[done...].withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw failure(path) }
            done += n
        }
    }

    private func failure(_ path: String) -> Failure {
        Failure(description: "cannot write \(path): \(String(cString: strerror(errno)))", usage: false)
    }
}
