import ArgumentParser
import ThiefCore

/// The CI gate (--fail-if, --baseline, …). Placeholder wiring: the gate issue
/// fills this in; Run calls prepare() before tracing and judge() after the report.
struct GateOptions: ParsableArguments {
    /// Parse and check the rules before anything is traced (exit 64 on a bad rule).
    func prepare() throws {}

    /// Judge the report(s); throws ExitCode 1 when a rule failed.
    func judge(_ reports: [Report]) throws {}
}
