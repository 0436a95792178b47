import ArgumentParser
import ThiefCore
import ThiefTracer

struct TraceOptions: ParsableArguments {
    @Option(
        name: [.short, .long], help: "Stop after this long: 500ms, 30s, 2m (default: until Ctrl+C or the target exits)."
    )
    var duration: String?

    @Flag(name: .long, help: "Do not trace hard IRQs, softirqs and system vectors.")
    var noIrqs = false

    @Option(name: .long, help: "Attach as tp_btf or raw_tp (default: tp_btf where the kernel has it).")
    var attach: AttachMode = .auto

    @Flag(name: [.short, .long], help: "Do not print the 'tracing...' line on stderr.")
    var quiet = false

    @Flag(name: .customLong("noop-programs"), help: .hidden)
    var noopPrograms = false

    @Flag(
        name: .customLong("self-cost"),
        help: "Report what tracing cost: BPF run time per event, thief's CPU time, peak RSS.")
    var selfCost = false

    @Option(name: .long, help: "Print a report every INTERVAL (e.g. 10s), and a last one at the end.")
    var interval: String?

    @Option(name: .long, help: "With --interval: stop after N intervals.")
    var count: Int?

    @Option(
        name: .long,
        help: ArgumentHelp("Also save the raw records to FILE, for `thief report FILE`.", valueName: "file"))
    var record: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Also write a Perfetto trace of the run to FILE (open it in ui.perfetto.dev).", valueName: "file"))
    var trace: String?

    /// The --trace file's writer, wired into the tracer's options.
    func perfetto(_ opts: inout TracerOptions) -> PerfettoSink? {
        guard let trace else { return nil }
        let sink = PerfettoSink(path: trace)
        sink.install(&opts)
        return sink
    }

    var intervalNs: UInt64? {
        get throws {
            guard let interval else { return nil }
            do { return try DurationParser.nanoseconds(interval) } catch let e as DurationParser.Invalid {
                throw ValidationError(e.description.replacingOccurrences(of: "duration", with: "interval"))
            }
        }
    }

    var durationNs: UInt64? {
        get throws {
            guard let duration else { return nil }
            do { return try DurationParser.nanoseconds(duration) } catch let e as DurationParser.Invalid {
                throw ValidationError(e.description)
            }
        }
    }

    func validate() throws {
        _ = try durationNs
        _ = try intervalNs
        if let count {
            guard count >= 1 else { throw ValidationError("--count must be at least 1") }
            guard interval != nil else { throw ValidationError("--count goes with --interval") }
        }
        // Before tracing: a run whose recording or trace cannot be written is exit 2 at once.
        for (flag, path) in [("--record", record), ("--trace", trace)] {
            guard let path else { continue }
            do { try SafeFile.checkDirectory(path) } catch let e as SafeFile.Refused {
                throw fail("\(flag): \(e)", ThiefExit.cannotMeasure)
            }
        }
    }

    /// Applies these options to the tracer's: duration, interval, recording.
    func apply(to opts: inout TracerOptions) throws {
        opts.traceIRQs = !noIrqs
        opts.rawTracepoints = attach == .rawTP
        opts.noopPrograms = noopPrograms
        opts.interval = try intervalNs
        opts.recordPath = record
        opts.selfCost = selfCost
        if let count, let i = opts.interval {
            let total = UInt64(count) * i
            opts.duration = min(opts.duration ?? total, total)
            opts.intervalCount = count
        }
    }
}
