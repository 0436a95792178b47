import ArgumentParser
import FoundationEssentials
import Glibc
import ThiefCore

/// `thief report FILE`: rebuilds the reports of a recording, through the same
/// code as the live run, so the text and JSON are byte for byte what it printed.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Print the report of a recording (thief record / --record FILE)."
    )

    @Argument(help: "A recording made by `thief record -o FILE` or `--record FILE`.")
    var file: String

    @Option(name: .long, help: "Report every INTERVAL of the recorded run instead of once.")
    var interval: String?

    @OptionGroup var output: ReportOptions

    func validate() throws {
        if let interval {
            do { _ = try DurationParser.nanoseconds(interval) } catch let e as DurationParser.Invalid {
                throw ValidationError(e.description.replacingOccurrences(of: "duration", with: "interval"))
            }
        }
        if interval != nil, let why = output.severalReportsRefusal("--interval") { throw ValidationError(why) }
    }

    func run() throws {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw fail("cannot read \(file): \(String(cString: strerror(errno)))", ThiefExit.cannotMeasure)
        }
        let contents: TraceFile.Contents
        do {
            contents = try TraceFile.parse(Array(data), name: file)
        } catch let e as TraceFile.Invalid {
            throw fail(e.description, ThiefExit.cannotMeasure)
        }
        let ns = try interval.map { try DurationParser.nanoseconds($0) }
        if let ns, Replay.intervalCount(contents, interval: ns) > Replay.maxIntervals {
            throw fail(
                "--interval \(interval ?? ""): more than \(Replay.maxIntervals) intervals in this recording; choose a longer one",
                ThiefExit.usage)
        }
        if output.format == .perfetto {
            try writeTrace(contents)
            return
        }
        for r in Replay.reports(contents, interval: ns, worst: output.worst) { try output.emit(r) }
    }

    /// `--format perfetto -o FILE`: the recording's events as a Perfetto trace.
    private func writeTrace(_ contents: TraceFile.Contents) throws {
        guard let path = output.output else {
            throw fail("--format perfetto writes a binary trace: give it a file with -o FILE", ThiefExit.usage)
        }
        do {
            let sink = PerfettoSink(path: path)
            try sink.start(contents.header)
            let reports = Replay.reports(contents, interval: nil, worst: output.worst, observer: { sink.consume($0) })
            try sink.finish(
                end: contents.trailer.end, lost: contents.trailer.lostEvents, worst: reports.last?.worstWaits)
        } catch {
            throw fail("\(path): \(error)", ThiefExit.cannotMeasure)
        }
    }
}
