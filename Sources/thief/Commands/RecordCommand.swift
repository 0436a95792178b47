import ArgumentParser
import ThiefCore
import ThiefTracer

/// `thief record -o FILE`: trace as `thief -p/-t/--` does and save the raw
/// records with everything that rebuilds the report; print nothing else.
struct RecordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Trace and save the raw records to a file; `thief report FILE` prints its report."
    )

    @Option(
        name: [.customShort("o"), .customLong("output")],
        help: ArgumentHelp("The recording to write.", valueName: "file"))
    var file: String

    @OptionGroup var target: TargetOptions
    @OptionGroup var trace: TraceOptions

    func validate() throws {
        // Before tracing: a recording that cannot be written is exit 2 at once, not after the run.
        do { try SafeFile.checkDirectory(file) } catch let e as SafeFile.Refused {
            throw fail(e.description, ThiefExit.cannotMeasure)
        }
    }

    func run() throws {
        var opts = TracerOptions(target: try target.spec(quiet: trace.quiet), duration: try trace.durationNs)
        opts.runAs = target.runAs
        try trace.apply(to: &opts)
        opts.recordPath = file
        opts.interval = nil
        let sink = trace.perfetto(&opts)
        let result = try traceOrExit(opts, quiet: trace.quiet)
        do {
            try sink?.finish(end: result.trailer.end, lost: result.trailer.lostEvents, worst: result.report.worstWaits)
        } catch {
            throw fail("--trace: \(error)", ThiefExit.cannotMeasure)
        }
        try requireAppeared(result, opts.target)
        if !trace.quiet {
            stderrLine(
                "thief: recorded \(result.window.records) records to \(file); print them with: thief report \(file)")
        }
    }
}
