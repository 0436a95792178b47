import Foundation
import Testing
import ThiefCore

/// Formats and exit codes of the CLI that need no root (issue 22, item 7): the
/// built binary on the recording that ships with the tests.
@Suite("Formats and exit codes")
struct FormatCLITests {
    static let recording = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../ThiefCoreTests/Fixtures/competitor.thief").standardized.path

    @Test("--help's --format names every format, html and perfetto included")
    func helpFormats() throws {
        let out = try GateCLITests.run(["run", "--help"])
        #expect(out.code == 0)
        // The prose, not ArgumentParser's "(values: …)" list that follows it.
        let after = out.stdout.components(separatedBy: "--format <format>").dropFirst().first ?? ""
        let prose = after.components(separatedBy: "(values:").first ?? ""
        for name in ["text", "json", "ndjson", "csv", "openmetrics", "html", "perfetto"] {
            #expect(prose.contains(name), "--format help lacks \(name): \(prose)")
        }
    }

    /// swift-argument-parser's generate-manual keeps only ASCII (String+Escaping:
    /// `for character in self where character.isASCII`): the packaged thief-run(1)
    /// read `--pid pid[,pid]` and `(TID[,TID])`, as if two at most.
    @Test("the help the man pages are made from is ASCII: generate-manual drops everything else")
    func manPageSourceIsASCII() throws {
        let out = try GateCLITests.run(["--experimental-dump-help"])
        #expect(out.code == 0)
        let other = out.stdout.unicodeScalars.filter { !$0.isASCII }.map { String($0) }
        #expect(other.isEmpty, "not ASCII in the help: \(other.joined())")
    }

    @Test(
        "several reports in a one-document format are refused (exit 64): html, openmetrics on standard output",
        arguments: [
            (["--format", "html"], "one page"),
            (["--format", "openmetrics"], "one exposition"),
            (["--format", "openmetrics", "-o", "-"], "one exposition"),
            (["--format", "json"], "one report"),
        ])
    func severalReports(args: [String], message: String) throws {
        let out = try GateCLITests.run(["report", Self.recording, "--interval", "100ms"] + args)
        #expect(out.code == 64, "\(args): exit \(out.code)")
        #expect(out.stderr.contains(message) && !out.stdout.contains("<!DOCTYPE"), "\(out.stderr)")
    }

    /// Measured: `thief -p REDIS -d 2s --format csv -o /nonexistent/dir/x.csv`
    /// traced the whole 2 s and only then said it could not write (json: at once).
    @Test(
        "a file to append to in a directory that does not exist is refused before tracing (exit 2), as json's is",
        arguments: ["text", "csv", "ndjson", "json"])
    func appendToMissingDirectory(format: String) throws {
        let file = "/nonexistent-\(UUID().uuidString)/x.\(format)"
        // A PID above pid_max never exists: the old code got that far and said so instead.
        let out = try GateCLITests.run(["run", "-p", "4194305", "--format", format, "-o", file])
        #expect(out.code == 2, "exit \(out.code), stderr: \(out.stderr)")
        #expect(out.stderr.contains("cannot write \(file): No such file or directory"), "\(out.stderr)")
    }

    @Test("openmetrics with --interval to a file: each report replaces it, one exposition ending with # EOF")
    func openMetricsIntervalFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("thief-om-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("thief.prom").path
        let out = try GateCLITests.run(
            ["report", Self.recording, "--interval", "100ms", "--format", "openmetrics", "-o", file])
        #expect(out.code == 0, "\(out.stderr)")
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(text.hasSuffix("\n# EOF\n") && text.components(separatedBy: "# EOF").count == 2)
        let types = text.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }
        #expect(Set(types).count == types.count)
        // promtool (the Prometheus text format, which reads # EOF as a comment) still accepts it.
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/promtool") else {
            if ProcessInfo.processInfo.environment["THIEF_REQUIRE_PROMTOOL"] == "1" {
                Issue.record("THIEF_REQUIRE_PROMTOOL=1 but /usr/bin/promtool is missing")
            }
            return
        }
        let check = try GateCLITests.run([], shell: "/usr/bin/promtool check metrics < '\(file)'")
        #expect(check.code == 0, "promtool: \(check.stdout)\(check.stderr)")
    }
}
