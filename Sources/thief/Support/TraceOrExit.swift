import ThiefCore
import ThiefTracer

/// Runs the tracer; a TracerError becomes one line and exit code 2.
/// With --interval, `onInterval` gets each interval's report as it closes.
func traceOrExit(_ opts: TracerOptions, quiet: Bool, onInterval: ((Report) throws -> Void)? = nil) throws -> TraceResult
{
    let tracer = Tracer(options: opts)
    if !quiet { tracer.onAttached = { stderrLine($0) } }
    tracer.onInterval = onInterval
    do {
        return try tracer.run()
    } catch let e as TracerError {
        throw fail(e.description, ThiefExit.cannotMeasure)
    }
}
