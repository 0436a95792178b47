import FoundationEssentials
import Glibc
import ThiefCore
import ThiefTracer

/// Runs the tracer; a TracerError becomes one line and exit code 2.
/// With --interval, `onInterval` gets each interval's report as it closes.
func traceOrExit(_ opts: TracerOptions, quiet: Bool, onInterval: ((Report) throws -> Void)? = nil) throws -> TraceResult
{
    var opts = opts
    // A status line on a terminal; not when interval reports print to the same one.
    opts.statusLine = !quiet && isatty(2) != 0 && !(opts.interval != nil && isatty(1) != 0)
    let tracer = Tracer(options: opts)
    if !quiet { tracer.onAttached = { stderrLine($0) } }
    tracer.onInterval = onInterval
    do {
        return try tracer.run()
    } catch let e as TracerError {
        throw fail(e.description, ThiefExit.cannotMeasure)
    }
}

/// `--comm NAME --wait`: if no such process appeared before the run ended
/// (-d, Ctrl+C, SIGTERM), the (empty) report is written, then this one line and exit 2.
func requireAppeared(_ result: TraceResult, _ target: TargetSpec) throws {
    guard case .comm(let name) = target, result.header.seeds.isEmpty, result.report.target.threads.isEmpty else {
        return
    }
    throw fail("no process named '\(name)' appeared during the run", ThiefExit.cannotMeasure)
}
