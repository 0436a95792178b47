import FoundationEssentials
import Glibc
import ThiefCore
import ThiefReport

/// Where reports go: stdout, or a file written so that a reader never sees
/// half a report. Appends (csv, ndjson, text) are one write each, undone with
/// ftruncate if the write fails (a full disk never leaves a torn row);
/// replacements (json, openmetrics) go to a new temporary file renamed over
/// FILE. Files are opened by SafeFile only (docs/capture.md "Files thief writes"):
/// "-" and /dev/stdout are standard output; a device, FIFO or socket is
/// written in place, each report after the last.
struct OutputSink {
    struct Failure: Error, CustomStringConvertible {
        let description: String
        let usage: Bool
    }

    let format: OutputFormat
    let path: String?
    let perThread: Bool
    let perProcess: Bool

    init(_ o: ReportOptions) {
        format = o.format
        path = o.output.flatMap { SafeFile.isStandardOutput($0) ? nil : $0 }
        perThread = o.perThread
        perProcess = o.perProcess
    }

    /// Before tracing: an existing CSV file must have our header, a file
    /// thief would append to must pass SafeFile's checks, and one it would
    /// create must have a directory that exists and can take it.
    func checkExisting() throws {
        guard let path else { return }
        guard format == .csv || format == .ndjson || format == .text else {
            // A file replaced at the end: its directory is checked now (a read-only
            // file system, a refused directory), so that no run is lost to it.
            do { try SafeFile.checkDirectory(path) } catch let e as SafeFile.Refused {
                throw Failure(description: e.description, usage: false)
            }
            return
        }
        let head: [UInt8]?
        do {
            head = try SafeFile.head(path)
            // No file yet (or a stream): the append will create it, so its directory must
            // exist and take a new file now, not after an hour of tracing.
            if head == nil { try SafeFile.checkDirectory(path) }
        } catch let e as SafeFile.Refused {
            throw Failure(description: e.description, usage: false)
        }
        if let head { try checkHeader(head, path) }
    }

    private func checkHeader(_ head: [UInt8], _ path: String) throws {
        guard format == .csv, !head.isEmpty else { return }
        if !CSVRenderer.canAppend(toFileStarting: head) {
            throw Failure(
                description:
                    "\(path) has a different CSV header; refusing to mix rows (write to a new file, or move it aside)",
                usage: true)
        }
    }

    func render(_ r: Report, fileIsEmpty: Bool) throws -> String {
        switch format {
        case .text: return TextRenderer.render(r) + (r.interval != nil ? "\n" : "")
        case .json: return try JSONRenderer.render(r)
        case .ndjson: return try JSONRenderer.renderLine(r)
        case .csv:
            return (fileIsEmpty ? CSVRenderer.header : "")
                + CSVRenderer.rows(r, perThread: perThread, perProcess: perProcess)
        case .openmetrics: return OpenMetricsRenderer.render(r)
        case .html: return HTMLRenderer.render(r)
        case .perfetto: throw Self.perfettoIsNotAReport
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
        // --repeat N: every report, one after another.
        case .json where Self.jsonWritten.contains(path): try append(path, r)
        case .json, .openmetrics, .html:
            try replace(path, Array(try render(r, fileIsEmpty: true).utf8))
            if format == .json { Self.jsonWritten.insert(path) }
        case .csv, .ndjson, .text: try append(path, r)
        case .perfetto: throw Self.perfettoIsNotAReport
        }
    }

    static let perfettoIsNotAReport = Failure(
        description: "--format perfetto is a trace of a recording: thief report RUN.thief --format perfetto -o FILE "
            + "(or --trace FILE on a live run)", usage: true)

    /// Whether the CSV header already went to stdout in this run.
    nonisolated(unsafe) static var stdoutStarted = false
    /// Streams (-o FIFO, device, /dev/fd/N) this process already wrote a report to.
    nonisolated(unsafe) static var streamsStarted: Set<String> = []
    /// JSON files this process already replaced: later reports (--repeat) append to them.
    nonisolated(unsafe) static var jsonWritten: Set<String> = []

    private func append(_ path: String, _ r: Report) throws {
        do {
            try SafeFile.append(path) { existing in
                try checkHeader(existing.head, path)
                // A stream has no start to read back: the CSV header goes in its first report only.
                let empty = existing.inPlace ? !Self.streamsStarted.contains(path) : existing.size == 0
                if existing.inPlace { Self.streamsStarted.insert(path) }
                return Array(try render(r, fileIsEmpty: empty).utf8)
            }
        } catch let e as SafeFile.Refused {
            throw Failure(description: e.description, usage: false)
        }
    }

    private func replace(_ path: String, _ bytes: [UInt8]) throws {
        do { try SafeFile.replace(path, with: bytes) } catch let e as SafeFile.Refused {
            throw Failure(description: e.description, usage: false)
        }
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8], _ path: String) throws {
        var done = 0
        while done < bytes.count {
            let n = bytes[done...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw failure(path) }
            done += n
        }
    }

    private func failure(_ path: String) -> Failure {
        Failure(description: "cannot write \(path): \(String(cString: strerror(errno)))", usage: false)
    }
}
