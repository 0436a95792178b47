import ArgumentParser
import FoundationEssentials
import Glibc
import ThiefCore
import ThiefGate
import ThiefReport

/// `thief gate REPORT.json --fail-if …`: judge reports saved earlier with
/// `--format json`, so CI can measure once and judge several ways.
struct GateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gate",
        abstract: "Judge saved JSON reports with gate rules, without tracing (exit 1 when a rule fails).",
        discussion: """
            Rules and metric paths: docs/gate.md. Several reports (several files, or one file written by --repeat N --format json) are judged by the median of each metric.

            Exit codes: 0 every check passed; 1 a check failed; 2 a report could not be read, or lacks a number a rule reads; 64 usage error.
            """
    )

    @Argument(help: ArgumentHelp("JSON reports written by 'thief --format json'.", valueName: "report.json"))
    var reports: [String]

    @OptionGroup var gate: GateOptions

    @Flag(help: "Print what to change for the last report (on stderr, before the verdicts; alone, only that).")
    var advice = false

    func run() throws {
        let compiled = try gate.prepare()
        // --advice alone is what to change for a saved JSON report: thief report reads recordings only.
        if compiled == nil, !advice {
            throw fail(
                "the gate has nothing to judge: add --fail-if 'METRIC OP VALUE' or --baseline with --max-regression",
                ThiefExit.usage)
        }
        var loaded: [Report] = []
        for path in reports {
            do { loaded += try ReportFile.load(path: path) } catch {
                throw fail("\(error)", ThiefExit.cannotMeasure)
            }
        }
        if advice, var last = loaded.last {
            last.advice = Advisor.advise(last)
            StandardError.write(TextRenderer.renderAdvice(last))
        }
        try gate.judge(loaded, with: compiled)
    }
}
