import Foundation
import Testing
import ThiefCore
import ThiefGate

/// `thief gate` run as a user runs it: the built binary, its exit code, stdout and stderr.
/// Needs no root: it reads saved reports.
@Suite("Gate CLI")
struct GateCLITests {
    /// The built `thief` next to the test bundle (or $THIEF_BIN).
    static let binary: String = {
        if let b = ProcessInfo.processInfo.environment["THIEF_BIN"] { return b }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("thief").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return FileManager.default.currentDirectoryPath + "/.build/debug/thief"
    }()

    struct Output {
        var code: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `thief ARGS` (or a shell line with `thief` on PATH) in `dir`. A shell
    /// line runs in bash with errexit and pipefail, as GitHub Actions and GitLab run steps.
    static func run(_ args: [String], shell: String? = nil, in dir: URL? = nil, env: [String: String] = [:]) throws
        -> Output
    {
        try #require(
            FileManager.default.isExecutableFile(atPath: binary), "no thief binary at \(binary): run swift build first")
        let p = Process()
        if let shell {
            p.executableURL = URL(fileURLWithPath: "/bin/bash")
            p.arguments = ["--noprofile", "--norc", "-eo", "pipefail", "-c", shell]
        } else {
            p.executableURL = URL(fileURLWithPath: binary)
            p.arguments = args
        }
        var environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
        environment["PATH"] =
            URL(fileURLWithPath: binary).deletingLastPathComponent().path + ":"
            + (environment["PATH"] ?? "/usr/bin:/bin")
        if env["GITHUB_ACTIONS"] == nil { environment["GITHUB_ACTIONS"] = nil }
        p.environment = environment
        if let dir { p.currentDirectoryURL = dir }
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("thief-gate-\(UUID().uuidString)")
        let outURL = tmp.appendingPathExtension("out"), errURL = tmp.appendingPathExtension("err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = try FileHandle(forWritingTo: outURL)
        p.standardError = try FileHandle(forWritingTo: errURL)
        try p.run()
        p.waitUntilExit()
        return Output(
            code: p.terminationStatus,
            stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
    }

    static func fixture() throws -> String { try Fixture.url().path }

    @Test("exit 0 when every rule passes, 1 when one fails; the table on stderr, stdout empty")
    func exitCodes() throws {
        let f = try Self.fixture()
        let pass = try Self.run([
            "gate", f, "--fail-if", "runnable_wait.p99 > 200us", "--fail-if", "migrations.count > 5",
        ])
        #expect(pass.code == 0, "\(pass.stderr)")
        #expect(pass.stdout.isEmpty)
        #expect(pass.stderr.hasPrefix("thief gate: pass, 3 checks passed\n"))

        let fail = try Self.run([
            "gate", f, "--fail-if", "runnable_wait.p99 >= 200us", "--fail-if", "off_core.preempted.total > 2%",
        ])
        #expect(fail.code == 1)
        #expect(fail.stdout.isEmpty)
        #expect(fail.stderr.hasPrefix("thief gate: FAIL, 2 of 3 checks failed\n"))
        #expect(fail.stderr.contains("off_core.preempted.total > 2%"))
    }

    /// Measured: `thief gate report.json --advice` was exit 64, "the gate has
    /// nothing to judge", though docs/advice.md says it prints the advice of a
    /// saved report (and `thief report` reads only recordings).
    @Test("--advice alone: what to change for a saved report on stderr, exit 0, no verdicts")
    func adviceAlone() throws {
        let f = try Self.fixture()
        let out = try Self.run(["gate", f, "--advice"])
        #expect(out.code == 0, "\(out.stderr)")
        #expect(out.stdout.isEmpty)
        #expect(out.stderr.hasPrefix("What to change") && !out.stderr.contains("thief gate:"), "\(out.stderr)")
        let judged = try Self.run(["gate", f, "--advice", "--fail-if", "migrations.count > 5"])
        #expect(judged.code == 0 && judged.stderr.hasPrefix(out.stderr + "thief gate: pass"), "\(judged.stderr)")
    }

    @Test("bad input: one line on stderr and the documented exit code")
    func errors() throws {
        let f = try Self.fixture()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("thief-gate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let corrupt = dir.appendingPathComponent("corrupt.json").path
        _ = FileManager.default.createFile(atPath: corrupt, contents: Data("{\"schema\": 1, \"tool\": ".utf8))
        let cases: [([String], Int32, String)] = [
            (
                ["gate", f, "--fail-if", "runnable_wait.p99 >> 200us"], 64,
                "invalid rule 'runnable_wait.p99 >> 200us' at column 19: unknown operator '>>'"
            ),
            (["gate", f, "--fail-if", "runable_wait > 1ms"], 64, "did you mean 'runnable_wait'?"),
            (["gate", f, "--fail-if", "runnable_wait.p99 > 200"], 64, "at column 24"),
            (["gate", f], 64, "the gate has nothing to judge"),
            (["gate", f, "--junit", dir.appendingPathComponent("x.xml").path], 64, "the gate has nothing to judge"),
            (["gate", "--fail-if", "migrations > 1"], 64, "Missing expected argument"),
            (
                ["gate", f, "--fail-if", "migrations > 1", "--max-regression", "migrations=10%"], 64,
                "--max-regression needs --baseline"
            ),
            (["gate", f, "--fail-if", "migrations > 1", "--baseline", f], 64, "--baseline needs --max-regression"),
            (
                ["gate", f, "--baseline", f, "--max-regression", "migrations=10"], 64,
                "the allowed increase is a percentage"
            ),
            (
                ["gate", f, "--fail-if", "migrations > 1", "--junit", "/nonexistent/dir/x.xml"], 64,
                "--junit: directory '/nonexistent/dir' does not exist"
            ),
            (
                ["gate", "/nonexistent/report.json", "--fail-if", "migrations > 1"], 2,
                "report '/nonexistent/report.json' does not exist"
            ),
            (["gate", corrupt, "--fail-if", "migrations > 1"], 2, "report '\(corrupt)': not valid JSON (truncated)"),
            (
                ["gate", f, "--baseline", corrupt, "--max-regression", "migrations=10%"], 2,
                "--baseline: report '\(corrupt)'"
            ),
            // A bad rule is refused before any report is read.
            (["gate", "/nonexistent/report.json", "--fail-if", "bad"], 64, "unknown metric 'bad'"),
        ]
        for (args, code, message) in cases {
            let out = try Self.run(args)
            #expect(out.code == code, "\(args): exit \(out.code), stderr: \(out.stderr)")
            #expect(out.stderr.contains(message), "\(args): \(out.stderr)")
            #expect(out.stderr.split(separator: "\n").count == 1, "\(args): \(out.stderr)")
            #expect(out.stderr.hasPrefix("thief: error: "), "\(args): \(out.stderr)")
            #expect(out.stdout.isEmpty)
        }
    }

    @Test("--junit writes the XML; GITHUB_ACTIONS=true prints one ::error per failure on stderr")
    func junitAndAnnotations() throws {
        let f = try Self.fixture()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("thief-gate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let xml = dir.appendingPathComponent("junit.xml")
        let out = try Self.run(
            [
                "gate", f, f, f, "--fail-if", "runnable_wait.pct > 5%", "--fail-if", "migrations > 10",
                "--junit", xml.path,
            ], env: ["GITHUB_ACTIONS": "true"])
        #expect(out.code == 1)
        #expect(out.stdout.isEmpty)
        let annotations = out.stderr.split(separator: "\n").filter { $0.hasPrefix("::error") }
        #expect(
            annotations == ["::error title=thief gate::runnable_wait.pct > 5%25: observed 32.00%25 (median of 3 runs)"])
        #expect(out.stderr.contains("(median of 3 runs)"))
        let tree = try XMLTree.parse(String(contentsOf: xml, encoding: .utf8))
        #expect(tree.all("testcase").count == 3)
        #expect(tree.all("failure").count == 1)

        let quiet = try Self.run(["gate", f, "--fail-if", "runnable_wait.pct > 5%"], env: ["GITHUB_ACTIONS": "false"])
        #expect(quiet.code == 1 && quiet.stdout.isEmpty)
    }

    @Test("baseline with --max-regression; lost events fail unless --allow-lost; concatenated --repeat output")
    func baselineAndLost() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("thief-gate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func save(_ reports: [Report], _ name: String) throws -> String {
            let url = dir.appendingPathComponent(name)
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            try Data(reports.map { String(decoding: try enc.encode($0), as: UTF8.self) + "\n" }.joined().utf8).write(
                to: url)
            return url.path
        }
        let base = try save([Fixture.report(p99: 200)], "base.json")
        let slower = try save([Fixture.report(p99: 300)], "slower.json")
        let runs = try save(
            [Fixture.report(p99: 210), Fixture.report(p99: 900), Fixture.report(p99: 220)], "runs.json")

        let regressed = try Self.run([
            "gate", slower, "--baseline", base, "--max-regression", "runnable_wait.p99=20%,off_core.total=10%",
        ])
        #expect(regressed.code == 1)
        #expect(regressed.stderr.contains("BASELINE"))
        #expect(regressed.stderr.contains("+50.0%"))
        let median = try Self.run(["gate", runs, "--baseline", base, "--max-regression", "runnable_wait.p99=20%"])
        #expect(median.code == 0, "\(median.stderr)")
        #expect(median.stderr.contains("(median of 3 runs)"))
        #expect(median.stderr.contains("+10.0%"))

        var lossy = try Fixture.report()
        lossy.lostEvents = 7
        let lost = try save([lossy], "lost.json")
        let strict = try Self.run(["gate", lost, "--fail-if", "migrations > 10"])
        #expect(strict.code == 1)
        #expect(strict.stderr.contains("lost_events > 0 (implicit"))
        let allowed = try Self.run(["gate", lost, "--fail-if", "migrations > 10", "--allow-lost"])
        #expect(allowed.code == 0)
    }

    /// Item: `thief -- ./bench.sh --fail-if …` (the issue's literal form) hands the rule to
    /// the command. thief refuses it before tracing, so no root is needed to test it.
    @Test("a gate option after -- is refused before tracing (exit 64), with where to put it")
    func gateOptionAfterTerminator() throws {
        let cases: [([String], String)] = [
            (["--", "./bench.sh", "--fail-if", "off_core.preempted.total > 2%"], "--fail-if"),
            (["--format", "json", "--", "/bin/true", "x", "--fail-if=migrations > 1"], "--fail-if"),
            (["--", "./bench.sh", "--baseline", "base.json"], "--baseline"),
            (["--", "./bench.sh", "--max-regression", "off_core=10%"], "--max-regression"),
            (["--", "./bench.sh", "--allow-lost"], "--allow-lost"),
            (["--", "./bench.sh", "--junit", "j.xml"], "--junit"),
            (["-d", "1s", "--", "./bench.sh", "--repeat", "3"], "--repeat"),
            (["-d", "1s", "--", "./bench.sh", "--repeat=3"], "--repeat"),
        ]
        for (args, flag) in cases {
            let out = try Self.run(args)
            #expect(out.code == 64, "\(args): exit \(out.code): \(out.stderr)")
            #expect(
                out.stderr == "thief: error: '\(flag)' after -- would go to the command, not to thief: "
                    + "put thief's options before -- (thief \(flag) … -- \(args[args.firstIndex(of: "--")! + 1]) …)\n",
                "\(args)")
            #expect(out.stdout.isEmpty)
        }
    }

    @Test("the gate with --interval is refused before tracing (exit 64): it judges whole runs")
    func gateWithInterval() throws {
        for gate in [
            ["--fail-if", "migrations > 1"], ["--junit", "/tmp/j.xml"],
            ["--baseline", "b.json", "--max-regression", "on_core=1%"],
        ] {
            let out = try Self.run(["-p", "1", "--interval", "1s", "--count", "2", "--format", "ndjson"] + gate)
            #expect(out.code == 64, "\(gate): exit \(out.code): \(out.stderr)")
            #expect(
                out.stderr.hasPrefix(
                    "thief: error: the gate (--fail-if, --baseline, --junit) judges a whole run and does not go with --interval"
                ))
            #expect(out.stderr.split(separator: "\n").count == 1)
            #expect(out.stdout.isEmpty)
        }
    }

    @Test("a rule that reads a field the report lacks exits 2 and says which; other rules still judge")
    func missingFields() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("thief-gate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let old = dir.appendingPathComponent("old.json")
        try Fixture.stripped(["p90_ns", "pct", "min_ns", "avg_ns"]).write(to: old)
        var noStates = try JSONSerialization.jsonObject(with: Data(contentsOf: Fixture.url())) as? [String: Any] ?? [:]
        var off = noStates["off_core"] as? [String: Any] ?? [:]
        off["by_state"] = nil
        noStates["off_core"] = off
        let stateless = dir.appendingPathComponent("stateless.json")
        try JSONSerialization.data(withJSONObject: noStates).write(to: stateless)

        let cases: [([String], Int32, String)] = [
            (
                ["gate", old.path, "--fail-if", "on_core.p90 > 1ms"], 2,
                "thief: error: cannot judge: report has no p90 for on_core\n"
            ),
            (
                ["gate", old.path, "--fail-if", "runnable_wait.pct > 5%"], 2,
                "thief: error: cannot judge: report has no pct for runnable_wait\n"
            ),
            (
                ["gate", stateless.path, "--fail-if", "off_core.preempted.total > 2%"], 2,
                "thief: error: cannot judge: report has no off_core.by_state.preempted\n"
            ),
            (
                ["gate", try Self.fixture(), old.path, "--fail-if", "on_core.avg > 1ms"], 2,
                "thief: error: cannot judge: report 2 of 2 has no avg for on_core\n"
            ),
            (
                ["gate", try Self.fixture(), "--baseline", old.path, "--max-regression", "on_core.p90=10%"], 2,
                "thief: error: cannot judge: baseline report has no p90 for on_core\n"
            ),
        ]
        for (args, code, stderr) in cases {
            let out = try Self.run(args)
            #expect(out.code == code, "\(args): exit \(out.code): \(out.stderr)")
            #expect(out.stderr == stderr, "\(args)")
        }
        // The fields design section 4 promises still judge: runnable_wait.p99 is 200us in the fixture.
        #expect(
            try Self.run(["gate", old.path, "--fail-if", "runnable_wait.p99 > 200us", "--fail-if", "on_core.max > 1s"])
                .code == 0)
        #expect(try Self.run(["gate", old.path, "--fail-if", "runnable_wait.p99 >= 200us"]).code == 1)
        #expect(try Self.run(["gate", stateless.path, "--fail-if", "off_core.total > 1s"]).code == 0)
    }

    /// docs/gate.md: every rule and --max-regression list in it parses.
    @Test("the documentation's rules are valid")
    func documentation() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/gate.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        // Not rules: the error example (a "$ " session line) and the grammar's placeholders.
        let examples = text.split(separator: "\n").filter { !$0.hasPrefix("$ ") }.joined(separator: "\n")
        let rules = Self.quoted(after: "--fail-if ", in: examples).filter { !$0.contains("METRIC") }
        #expect(rules.count >= 5)
        for r in rules { #expect(ruleError(r) == nil, "docs/gate.md: \(r): \(ruleError(r).map { "\($0)" } ?? "")") }
        let lists = Self.quoted(after: "--max-regression ", in: examples).filter { !$0.contains("METRIC") }
        #expect(!lists.isEmpty)
        for l in lists { #expect(regressionError(l) == nil, "docs/gate.md: \(l)") }

        // The rules of the examples table: its first column.
        let tableRules = text.split(separator: "\n").filter { $0.hasPrefix("| `") }
            .compactMap { $0.split(separator: "`").dropFirst().first.map(String.init) }
            .filter { r in [" > ", " >= ", " < ", " <= "].contains { r.contains($0) } }
        #expect(tableRules.count >= 10)
        for r in tableRules { #expect(ruleError(r) == nil, "docs/gate.md: \(r)") }

        // Its `thief gate` lines run, with their verdicts checked, in GateCIJobTests.docLines.
    }

    /// Every single-quoted argument after `flag` in the text.
    static func quoted(after flag: String, in text: String) -> [String] {
        var found: [String] = []
        var rest = Substring(text)
        while let r = rest.range(of: flag + "'") {
            rest = rest[r.upperBound...]
            guard let end = rest.firstIndex(of: "'") else { break }
            found.append(String(rest[..<end]))
            rest = rest[end...]
        }
        return found
    }
}

extension GateCLITests {
    @Test("a rule on a cause this kernel cannot measure (null in the report): exit 2 saying so, never a pass on 0")
    func unavailableCause() throws {
        var r = try Fixture.report()
        r.runnableWait.byCause = Report.ByCause(
            WaitCauses(tasks: r.runnableWait.totalNs, targets: 0, throttled: 0, idle: 0, steal: 0, other: 0))
        r.markUnavailable([.throttled])
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("thief-gate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("r.json")
        try JSONEncoder().encode(r).write(to: file)
        let out = try Self.run(["gate", file.path, "--fail-if", "runnable_wait.throttled > 1ms"])
        #expect(out.code == 2, "\(out.stderr)")
        #expect(out.stderr.contains("runnable_wait.throttled (this kernel cannot measure it)"), "\(out.stderr)")
        #expect(try Self.run(["gate", file.path, "--fail-if", "runnable_wait.tasks > 100s"]).code == 0)
    }
}
