import ArgumentParser
import FoundationEssentials
import Glibc
import ThiefCore
import ThiefTracer

/// A bounded interference scenario: a CPU-bound victim pinned to CPU 0 that
/// is moved between CPUs, a competitor pinned to CPU 0, and a periodic noisy
/// neighbour (DemoRole: each a re-executed thief); thief traces the victim and
/// prints the report.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run a built-in interference scenario for a few seconds and report on its victim."
    )

    @Option(name: [.short, .long], help: "How long to trace (default 4s).")
    var duration: String = "4s"

    @Flag(name: [.short, .long], help: "Do not print progress lines on stderr.")
    var quiet = false

    @Option(
        name: .long,
        help: ArgumentHelp("Also write a Perfetto trace of the run to FILE.", valueName: "file"))
    var trace: String?

    @OptionGroup var output: ReportOptions

    func validate() throws {
        do { _ = try DurationParser.nanoseconds(duration) } catch let e as DurationParser.Invalid {
            throw ValidationError(e.description)
        }
    }

    func run() throws {
        let ns = try DurationParser.nanoseconds(duration)
        // The roles outlive the trace by far (they are ended below, and die
        // with thief: DemoRole): where loading takes minutes (a loaded VM
        // under TCG) a short margin let the victim exit before tracing started.
        let seconds = Double(ns) / 1e9 + 3600
        var procs: [ChildProcess] = []
        defer {
            for p in procs { p.terminate() }
            for i in procs.indices { procs[i].wait() }
        }
        do {
            for role in [DemoRole.victim, .competitor, .noisy] { procs.append(try role.start(seconds: seconds)) }
        } catch {
            throw fail("cannot start the demo workload: \(error)", ThiefExit.cannotMeasure)
        }
        usleep(100_000)
        if !quiet {
            stderrLine(
                "thief demo: victim PID \(procs[0].pid) on CPU 0, competitor PID \(procs[1].pid) on CPU 0, noisy neighbour PID \(procs[2].pid)"
            )
        }
        var opts = TracerOptions(target: .process(procs[0].pid), duration: ns)
        let sink = trace.map { PerfettoSink(path: $0) }
        sink?.install(&opts)
        let result = try traceOrExit(opts, quiet: quiet)
        do {
            try sink?.finish(end: result.trailer.end, lost: result.trailer.lostEvents, worst: result.report.worstWaits)
        } catch {
            throw fail("--trace: \(error)", ThiefExit.cannotMeasure)
        }
        try output.emit(result.report)
    }
}
