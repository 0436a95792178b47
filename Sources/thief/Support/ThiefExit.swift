import ArgumentParser
import Foundation
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
    FileHandle.standardError.write(Data("thief: error: \(message)\n".utf8))
    return code
}

func stderrLine(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
