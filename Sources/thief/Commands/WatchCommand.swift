import ArgumentParser
import ThiefCore
import ThiefGate
import ThiefTracer

/// `thief watch TARGET --trigger RULE …`: a flight recorder. Keeps the last
/// --before of records in memory; when a trigger fires, writes a diagnosed
/// capture directory after --after, and keeps watching (docs/watch.md).
struct WatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract:
            "Keep the last seconds of records; when a trigger fires, write a diagnosed capture and keep watching.",
        discussion: """
            Triggers: 'wait > 20ms' (a target thread's runnable wait longer than that), or a gate rule over
            a sliding window: 'runnable_wait.tasks > 30% over 1s'. Each capture is a directory
            DIR/thief-HOST-TARGET-UTCTIME-SEQ/ with capture.thief, report.json, report.txt and trigger.json.
            See docs/watch.md.
            """
    )

    @OptionGroup var target: TargetOptions

    @Option(
        name: .customLong("trigger"),
        help: ArgumentHelp(
            "A trigger rule; repeat for several ('wait > 20ms', 'METRIC OP VALUE over 1s').", valueName: "rule"))
    var triggers: [String] = []

    @Option(help: "Keep this much before a trigger (default 10s).")
    var before = "10s"

    @Option(help: "Record this long after a trigger before writing the capture (default 2s).")
    var after = "2s"

    @Option(help: ArgumentHelp("Write captures in DIR (default: the current directory).", valueName: "dir"))
    var dir = "."

    @Option(help: "Memory for the records kept (default 64MiB): bounds how far back a capture reaches.")
    var memory = "64MiB"

    @Option(help: "No new capture within this long of the last one's trigger (default 0: none).")
    var cooldown: String?

    @Option(name: .customLong("max-per-hour"), help: "At most N captures in any hour.")
    var maxPerHour: Int?

    /// The "hour" of --max-per-hour: hidden, for the live test that sees a
    /// capture after the limit count the triggers it suppressed.
    @Option(name: .customLong("rate-window"), help: .hidden)
    var rateWindow = "1h"

    @Option(help: "Keep only the newest N captures of this watch (older ones it made are removed).")
    var keep: Int?

    @Option(
        name: .customLong("max-after"),
        help: "Triggers inside an after-window extend it, up to this long after the first (default 3x --after).")
    var maxAfter: String?

    @Option(name: [.short, .long], help: "Stop after this long (default: until Ctrl+C, SIGTERM or the target's end).")
    var duration: String?

    @Flag(name: .long, help: "Do not trace hard IRQs, softirqs and system vectors.")
    var noIrqs = false

    @Flag(name: [.short, .long], help: "Print only errors (no 'tracing...' line and no line per capture).")
    var quiet = false

    func duration(_ text: String, _ option: String) throws -> UInt64 {
        do { return try DurationParser.nanoseconds(text) } catch let e as DurationParser.Invalid {
            throw fail("--\(option): \(e.description)", ThiefExit.usage)
        }
    }

    func settings() throws -> WatchSettings {
        guard !triggers.isEmpty else { throw fail("say when to capture: --trigger 'wait > 20ms'", ThiefExit.usage) }
        var rules: [WatchRule] = []
        for t in triggers {
            do { rules.append(try WatchRule.parse(t)) } catch { throw fail(error.description, ThiefExit.usage) }
        }
        let memoryBytes: Int
        do { memoryBytes = try ByteSize.bytes(memory) } catch let e as ByteSize.Invalid {
            throw fail("--memory: \(e.description)", ThiefExit.usage)
        }
        guard memoryBytes >= 1 << 20 else { throw fail("--memory must be at least 1MiB", ThiefExit.usage) }
        if let keep, keep < 1 { throw fail("--keep must be at least 1", ThiefExit.usage) }
        if let maxPerHour, maxPerHour < 1 { throw fail("--max-per-hour must be at least 1", ThiefExit.usage) }
        let afterNs = try duration(after, "after")
        var s = WatchSettings(
            rules: rules, beforeNs: try duration(before, "before"), afterNs: afterNs, dir: dir,
            memoryBytes: memoryBytes, maxAfterNs: try maxAfter.map { try duration($0, "max-after") } ?? 3 * afterNs)
        s.cooldownNs = try cooldown.map { try duration($0, "cooldown") } ?? 0
        s.maxPerHour = maxPerHour
        s.hourNs = try duration(rateWindow, "rate-window")
        s.keep = keep
        s.quiet = quiet
        return s
    }

    func run() throws {
        let s = try settings()
        var opts = TracerOptions(
            target: try target.spec(quiet: quiet), duration: try duration.map { try duration($0, "duration") })
        opts.runAs = target.runAs
        opts.traceIRQs = !noIrqs
        opts.promptRecords = true
        opts.worstWaits = 0
        let watcher: Watcher
        do { watcher = try Watcher(settings: s) } catch let e as SafeFile.Refused {
            throw fail("--dir: \(e.description)", ThiefExit.cannotMeasure)
        }
        let tracer = Tracer(options: opts)
        tracer.tap = watcher
        if !quiet {
            let rules = s.rules.map(\.description).joined(separator: "', '")
            tracer.onAttached = { stderrLine($0 + "; watching for '\(rules)', captures in \(s.dir)") }
        }
        do {
            _ = try tracer.run()
        } catch let e as TracerError {
            throw fail(e.description, ThiefExit.cannotMeasure)
        } catch let e as SafeFile.Refused {
            throw fail(e.description, ThiefExit.cannotMeasure)
        } catch let code as ExitCode {
            throw code
        } catch {
            // A capture that could not be made (its recording, its reports): exit 2, as a refused file.
            throw fail("writing a capture: \(error)", ThiefExit.cannotMeasure)
        }
    }
}
