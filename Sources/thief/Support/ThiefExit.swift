import ArgumentParser
import FoundationEssentials
import Glibc
import ThiefCore
import ThiefTracer

/// docs/command-line.md "Exit codes". Only the CLI picks them.
enum ThiefExit {
    static let ok = ExitCode(0)
    static let gateFailed = ExitCode(1)
    static let cannotMeasure = ExitCode(2)
    static let usage = ExitCode(64)
}

/// One line on stderr, then the exit code: never a trap or a stack trace.
func fail(_ message: String, _ code: ExitCode) -> ExitCode {
    StandardError.write("thief: error: \(message)\n")
    return code
}

func stderrLine(_ message: String) {
    StandardError.write(message + "\n")
}
