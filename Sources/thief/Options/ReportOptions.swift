import ArgumentParser
import ThiefCore

struct ReportOptions: ParsableArguments {
    @Option(name: .long, help: "Report format: text, json (schema 1), ndjson, csv or openmetrics.")
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
