import ArgumentParser
import ThiefCore
import ThiefTracer

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Trace a process (-p), threads (-t) or a command (-- CMD ARGS) and print the report."
    )

    @OptionGroup var target: TargetOptions
    @OptionGroup var trace: TraceOptions
    @OptionGroup var output: ReportOptions
    @OptionGroup var gate: GateOptions

    @Option(
        name: .customLong("repeat"),
        help: ArgumentHelp(
            "Measure N times (with -d or a command), print each report, and gate on the median of each metric.",
            valueName: "n"))
    var repeatCount = 1

    /// The Perfetto trace of a run ends where the run did.
    func finishTrace(_ sink: PerfettoSink?, _ result: TraceResult) throws {
        do {
            try sink?.finish(end: result.trailer.end, lost: result.trailer.lostEvents, worst: result.report.worstWaits)
        } catch {
            throw fail("--trace: \(error)", ThiefExit.cannotMeasure)
        }
    }

    /// The command after --, if any.
    var command: [String] { target.command }

    func run() throws {
        var opts = TracerOptions(target: try target.spec(quiet: trace.quiet), duration: try trace.durationNs)
        opts.runAs = target.runAs
        opts.worstWaits = output.worstWaits
        try trace.apply(to: &opts)
        if opts.interval != nil, let why = output.severalReportsRefusal("--interval") {
            throw fail(why, ThiefExit.usage)
        }
        guard repeatCount >= 1 else { throw fail("--repeat must be at least 1", ThiefExit.usage) }
        if repeatCount > 1, let why = output.severalReportsRefusal("--repeat") { throw fail(why, ThiefExit.usage) }
        if repeatCount > 1, opts.duration == nil, command.isEmpty {
            throw fail(
                "--repeat needs -d DURATION or a command (-- CMD ARGS), so that each run ends by itself",
                ThiefExit.usage)
        }
        // After `--` everything is the command's (POSIX), so `thief -- ./bench.sh --fail-if …`
        // would hand the rule to bench.sh and pass the build unjudged: refuse it.
        // A command that really takes such an argument runs through a script or `sh -c '…'`.
        let gateFlags = ["--fail-if", "--allow-lost", "--baseline", "--max-regression", "--junit", "--repeat"]
        if let flag = command.dropFirst().lazy.compactMap({ arg in
            gateFlags.first { arg == $0 || arg.hasPrefix($0 + "=") }
        }).first {
            throw fail(
                "'\(flag)' after -- would go to the command, not to thief: put thief's options before -- "
                    + "(thief \(flag) … -- \(command[0]) …)", ThiefExit.usage)
        }
        // --interval reports are parts of the run; the gate judges a whole run.
        if opts.interval != nil && gate.isActive {
            throw fail(
                "the gate (--fail-if, --baseline, --junit) judges a whole run and does not go with --interval; "
                    + "record with --record FILE and judge it with 'thief gate FILE'", ThiefExit.usage)
        }
        let compiled = try gate.prepare()
        var reports: [Report] = []
        for _ in 0..<repeatCount {
            let sink = trace.perfetto(&opts)
            let result = try traceOrExit(opts, quiet: trace.quiet, onInterval: { try output.emit($0) })
            try finishTrace(sink, result)
            try output.emit(result.report)
            try requireAppeared(result, opts.target)
            reports.append(result.report)
        }
        try gate.judge(reports, with: compiled)
    }
}
