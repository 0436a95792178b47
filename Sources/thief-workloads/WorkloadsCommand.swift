import ArgumentParser
import ThiefCore

/// `thief-workloads`: the workloads of the live tests and scripts/bench.sh, and
/// the consumer benchmark. Not part of the `thief` product: built next to it
/// (`swift build` builds both) and found there by the tests.
///
///     thief-workloads spin --name victim --cpu 0 --seconds 30
///     thief-workloads bench-consumer --interval-ms 1000
@main
struct WorkloadsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "thief-workloads",
        abstract: "Test and benchmark workloads for thief (not part of the thief product).",
        discussion: """
            thief-workloads KIND [options]   a bounded workload (see 'workload --help')
            thief-workloads bench-consumer   the consumer's fold rate (scripts/bench.sh)
            """,
        version: ThiefVersion.current,
        subcommands: [WorkloadCommand.self, BenchConsumer.self],
        defaultSubcommand: WorkloadCommand.self
    )
}
