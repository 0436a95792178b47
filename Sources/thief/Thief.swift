import ArgumentParser
import FoundationEssentials
import Glibc
import ThiefCore

@main
struct Thief: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "thief",
        abstract: "Show what takes the CPU away from a process: tasks, interrupts, migrations, on- and off-core time.",
        discussion: """
            Examples:
              thief -p 1234              trace PID 1234 until Ctrl+C
              thief -p 1234 -d 30s --format json
              thief -- make -j2          launch a command and trace it and its children
              thief demo                 a built-in interference scenario

            Exit codes: 0 ran; 1 a gate threshold was breached; 2 could not measure
            (no permission, no BTF, target gone, command not startable); 64 usage error.
            """,
        version: versionText,
        subcommands: [
            RunCommand.self, RecordCommand.self, ReportCommand.self, GateCommand.self, DemoCommand.self,
            WatchCommand.self,
        ],
        defaultSubcommand: RunCommand.self
    )

    /// `thief --version`: the release (ThiefCore's ThiefVersion, the one place
    /// it is set), the commit it was built from (BuildInfoPlugin) and the
    /// record ABI its recordings are written in.
    static let versionText =
        "thief \(ThiefVersion.current) (commit \(BuildInfo.commit), record ABI \(Record.abiVersion))"

    /// Errors are one line on stderr with the documented exit code (64 for
    /// usage); help and version go to stdout.
    static func main() {
        // A process of `thief demo`'s scenario (THIEF_DEMO_ROLE in the
        // environment, set by `thief demo` only) runs its role and exits here,
        // before any argument is parsed: see DemoRole.
        DemoRole.runIfRequested()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let code as ExitCode {
            Glibc.exit(code.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Glibc.exit(0)
            }
            // An ExitCode thrown from validate() after fail() printed its one line.
            if message(for: error).isEmpty { Glibc.exit(code.rawValue) }
            let text = message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            stderrLine("thief: error: \(text) (see 'thief --help')")
            Glibc.exit(code == .failure ? ThiefExit.usage.rawValue : code.rawValue)
        }
    }
}
