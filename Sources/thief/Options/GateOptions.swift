import ArgumentParser
import FoundationEssentials
import Glibc
import ThiefCore
import ThiefGate

/// The CI gate (docs/gate.md). `prepare()` checks everything before tracing
/// (a bad rule exits 64, an unreadable baseline 2); `judge` prints the verdict
/// table on stderr, writes --junit, prints GitHub annotations on stderr (stdout
/// stays a clean report), and exits 1 when a check failed, 2 when a rule reads
/// a number a report does not have.
struct GateOptions: ParsableArguments {
    @Option(
        name: .customLong("fail-if"),
        help: ArgumentHelp(
            "Fail (exit 1) when this condition holds: 'METRIC OP VALUE', e.g. 'runnable_wait.p99 > 200us'. Repeatable.",
            valueName: "rule"))
    var failIf: [String] = []

    @Flag(name: .customLong("allow-lost"), help: "Let a report with lost events pass the gate.")
    var allowLost = false

    @Option(help: ArgumentHelp("A JSON report to compare against (with --max-regression).", valueName: "report.json"))
    var baseline: String?

    @Option(
        name: .customLong("max-regression"),
        help: ArgumentHelp(
            "Fail when a metric grew over the baseline by more than a share: 'runnable_wait.p99=20%,off_core.total=10%' (METRIC=-N%: fell by more).",
            valueName: "list"))
    var maxRegression: [String] = []

    @Option(help: ArgumentHelp("Write the verdicts as JUnit XML to this file.", valueName: "file"))
    var junit: String?

    /// Any gate option given: without one, the run is not judged.
    var isActive: Bool { !failIf.isEmpty || baseline != nil || !maxRegression.isEmpty || junit != nil || allowLost }

    /// Parses the rules and loads the baseline; nil when no gate was asked for.
    func prepare() throws -> Gate? {
        guard isActive else { return nil }
        var gate = Gate(allowLost: allowLost)
        for text in failIf {
            do { gate.rules.append(try RuleParser.rule(text)) } catch {
                throw fail("--fail-if: \(error)", ThiefExit.usage)
            }
        }
        for text in maxRegression {
            do { gate.regressions += try RuleParser.regressions(text) } catch {
                throw fail("--max-regression: \(error)", ThiefExit.usage)
            }
        }
        if baseline != nil, gate.regressions.isEmpty {
            throw fail(
                "--baseline needs --max-regression 'METRIC=N%[,…]' (e.g. 'runnable_wait.p99=20%')", ThiefExit.usage)
        }
        if baseline == nil, !gate.regressions.isEmpty {
            throw fail("--max-regression needs --baseline REPORT.json", ThiefExit.usage)
        }
        if gate.rules.isEmpty, gate.regressions.isEmpty {
            throw fail(
                "the gate has nothing to judge: add --fail-if 'METRIC OP VALUE' or --baseline with --max-regression",
                ThiefExit.usage)
        }
        if let junit {
            do { try SafeFile.checkDirectory(junit) } catch let e as SafeFile.Refused {
                if e.missing {
                    let dir = URL(fileURLWithPath: junit).deletingLastPathComponent().path
                    throw fail("--junit: directory '\(dir)' does not exist", ThiefExit.usage)
                }
                throw fail("--junit: \(e)", ThiefExit.cannotMeasure)
            }
        }
        if let baseline {
            do { gate.baseline = try ReportFile.load(path: baseline) } catch {
                throw fail("--baseline: \(error)", ThiefExit.cannotMeasure)
            }
        }
        return gate
    }

    /// Judges the report(s), by their median: the table on stderr, the JUnit
    /// file, GitHub annotations on stderr (the runner reads workflow commands
    /// from both streams; stdout stays a clean report); throws exit code 1 when a check failed.
    func judge(_ reports: [Report], with gate: Gate?) throws {
        guard let gate else { return }
        let result: GateResult
        do { result = try gate.judge(reports) } catch {
            throw fail("cannot judge: \(error)", ThiefExit.cannotMeasure)
        }
        StandardError.write(VerdictRenderer.render(result))
        if let junit {
            let xml = JUnitRenderer.render(result, reports: reports)
            do { try SafeFile.replace(junit, with: Array(xml.utf8)) } catch {
                throw fail("--junit: \(error)", ThiefExit.cannotMeasure)
            }
        }
        if ProcessInfo.processInfo.environment["GITHUB_ACTIONS"] == "true" {
            let lines = VerdictRenderer.githubAnnotations(result)
            if !lines.isEmpty { StandardError.write(lines.map { $0 + "\n" }.joined()) }
        }
        if result.failed { throw ThiefExit.gateFailed }
    }
}
