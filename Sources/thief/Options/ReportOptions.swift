import ArgumentParser
import ThiefCore

struct ReportOptions: ParsableArguments {
    @Option(
        name: .long,
        help:
            "Report format: text, json (schema 1), ndjson, csv, openmetrics, html (one page), or perfetto (a trace: thief report RUN.thief --format perfetto -o FILE)."
    )
    var format: OutputFormat = .text

    @Option(
        name: [.short, .long],
        help: ArgumentHelp(
            "Write the report to FILE (- is standard output): csv and ndjson append (csv refuses a file with another header), text appends, json, openmetrics and html replace the file atomically; a FIFO or device is written in place.",
            valueName: "file"))
    var output: String?

    @Flag(name: .customLong("per-thread"), help: "CSV: add a row per thread after each report row.")
    var perThread = false

    @Flag(name: .customLong("per-process"), help: "CSV: add a row per process of the target after each report row.")
    var perProcess = false

    @Option(
        name: .long,
        help: ArgumentHelp(
            "What to change: default (advice worth at least 1% of the wait), all, or none.", valueName: "which"))
    var advice: AdviceLevel = .default

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Detail the N longest runnable waits (default 5; 0: none; at most \(WorstWaits.maxLimit)).",
            valueName: "n"))
    var worst: Int?

    /// --worst, or the default.
    var worstWaits: Int { worst ?? WorstWaits.defaultLimit }

    func validate() throws {
        if let worst, !(0...WorstWaits.maxLimit).contains(worst) {
            throw ValidationError("--worst must be between 0 and \(WorstWaits.maxLimit)")
        }
        if perThread && format != .csv { throw ValidationError("--per-thread goes with --format csv") }
        if perProcess && format != .csv { throw ValidationError("--per-process goes with --format csv") }
        do { try OutputSink(self).checkExisting() } catch let e as OutputSink.Failure where !e.usage {
            throw fail(e.description, ThiefExit.cannotMeasure)  // a refused file (SafeFile): exit 2, before tracing
        }
    }

    /// Why these formats cannot take several reports (`--interval`, `--repeat`,
    /// named by `flag`), or nil: json and html are one document each; an
    /// OpenMetrics exposition is one too, so on a stream its families would
    /// repeat (to a file, each report replaces the last: a textfile collector's).
    func severalReportsRefusal(_ flag: String) -> String? {
        switch format {
        case .json where flag == "--interval":
            return "--format json prints one report; use --format ndjson with --interval"
        case .html: return "--format html writes one page; it does not go with \(flag) (use ndjson or csv)"
        case .openmetrics where output.map({ SafeFile.isStandardStream($0) }) ?? true:
            return
                "--format openmetrics is one exposition: with \(flag), write it to a file (-o FILE, replaced at each report)"
        default: return nil
        }
    }

    /// Writes one report (the whole run's, or one interval's).
    func emit(_ report: Report) throws {
        var report = report
        if advice != .none { report.advice = Advisor.advise(report, all: advice == .all) }
        do {
            try OutputSink(self).write(report)
        } catch let e as OutputSink.Failure {
            throw fail(e.description, e.usage ? ThiefExit.usage : ThiefExit.cannotMeasure)
        }
    }
}
