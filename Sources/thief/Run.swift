import ArgumentParser
import Foundation
import ThiefCore
import ThiefReport
import ThiefTracer

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Trace a process (-p), threads (-t) or a command (-- CMD ARGS) and print the report."
    )

    @OptionGroup var target: TargetOptions
    @OptionGroup var trace: TraceOptions
    @OptionGroup var output: ReportOptions
    @OptionGroup var gate: GateOptions

    @Option(name: .customLong("repeat"), help: ArgumentHelp(
        "Measure N times (with -d or a command), print each report, and gate on the median of each metric.",
        valueName: "n"))
    var repeatCount = 1

    /// The command after --, if any.
    var command: [String] { target.command }

    func run() throws {
        var opts = TracerOptions(target: target.spec, duration: try trace.durationNs)
        try trace.apply(to: &opts)
        if opts.interval != nil && output.format == .json {
            throw fail("--format json prints one report; use --format ndjson with --interval", ThiefExit.usage)
        }
        guard repeatCount >= 1 else { throw fail("--repeat must be at least 1", ThiefExit.usage) }
        if repeatCount > 1, opts.duration == nil, command.isEmpty {
            throw fail("--repeat needs -d DURATION or a command (-- CMD ARGS), so that each run ends by itself", ThiefExit.usage)
        }
        let gateFlags = ["--fail-if", "--allow-lost", "--baseline", "--max-regression", "--junit", "--repeat"]
        if let flag = command.dropFirst().first(where: { arg in gateFlags.contains { arg == $0 || arg.hasPrefix($0 + "=") } }) {
            stderrLine("thief: warning: '\(flag)' after -- is an argument of the command, not a thief option; put thief options before --")
        }
        let compiled = try gate.prepare()
        var reports: [Report] = []
        for _ in 0..<repeatCount {
            let result = try traceOrExit(opts, quiet: trace.quiet, onInterval: { try output.emit($0) })
            try output.emit(result.report)
            reports.append(result.report)
        }
        try gate.judge(reports, with: compiled)
    }
}

/// Runs the tracer; a TracerError becomes one line and exit code 2.
/// With --interval, `onInterval` gets each interval's report as it closes.
func traceOrExit(_ opts: TracerOptions, quiet: Bool, onInterval: ((Report) throws -> Void)? = nil) throws -> TraceResult {
    let tracer = Tracer(options: opts)
    if !quiet { tracer.onAttached = { stderrLine($0) } }
    tracer.onInterval = onInterval
    do {
        return try tracer.run()
    } catch let e as TracerError {
        throw fail(e.description, ThiefExit.cannotMeasure)
    }
}
