import Foundation
import Testing
import ThiefCore

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

    struct Output { var code: Int32; var stdout: String; var stderr: String }

    /// Runs `thief ARGS` (or a shell line with `thief` on PATH) in `dir`.
    static func run(_ args: [String], shell: String? = nil, in dir: URL? = nil, env: [String: String] = [:]) throws -> Output {
        try #require(FileManager.default.isExecutableFile(atPath: binary), "no thief binary at \(binary): run swift build first")
        let p = Process()
        if let shell {
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", shell]
        } else {
            p.executableURL = URL(fileURLWithPath: binary)
            p.arguments = args
        }
        var environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
        environment["PATH"] = URL(fileURLWithPath: binary).deletingLastPathComponent().path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        if env["GITHUB_ACTIONS"] == nil { environment["GITHUB_ACTIONS"] = nil }
        p.environment = environment
        if let dir { p.currentDirectoryURL = dir }
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("thief-gate-\(UUID().uuidString)")
        let outURL = tmp.appendingPathExtension("out"), errURL = tmp.appendingPathExtension("err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: outURL); try? FileManager.default.removeItem(at: errURL) }
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = try FileHandle(forWritingTo: outURL)
        p.standardError = try FileHandle(forWritingTo: errURL)
        try p.run()
        p.waitUntilExit()
        return Output(code: p.terminationStatus,
                      stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
                      stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
    }

    static func fixture() throws -> String { try Fixture.url().path }

    @Test("exit 0 when every rule passes, 1 when one fails; the table on stderr, stdout empty")
    func exitCodes() throws {
        let f = try Self.fixture()
        let pass = try Self.run(["gate", f, "--fail-if", "runnable_wait.p99 > 200us", "--fail-if", "migrations.count > 5"])
        #expect(pass.code == 0, "\(pass.stderr)")
        #expect(pass.stdout.isEmpty)
        #expect(pass.stderr.hasPrefix("thief gate: pass, 3 checks passed\n"))

        let fail = try Self.run(["gate", f, "--fail-if", "runnable_wait.p99 >= 200us", "--fail-if", "off_core.preempted.total > 2%"])
        #expect(fail.code == 1)
        #expect(fail.stdout.isEmpty)
        #expect(fail.stderr.hasPrefix("thief gate: FAIL, 2 of 3 checks failed\n"))
        #expect(fail.stderr.contains("off_core.preempted.total > 2%"))
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
            (["gate", f, "--fail-if", "runnable_wait.p99 >> 200us"], 64, "invalid rule 'runnable_wait.p99 >> 200us' at column 19: unknown operator '>>'"),
            (["gate", f, "--fail-if", "runable_wait > 1ms"], 64, "did you mean 'runnable_wait'?"),
            (["gate", f, "--fail-if", "runnable_wait.p99 > 200"], 64, "at column 24"),
            (["gate", f], 64, "the gate has nothing to judge"),
            (["gate", f, "--junit", dir.appendingPathComponent("x.xml").path], 64, "the gate has nothing to judge"),
            (["gate", "--fail-if", "migrations > 1"], 64, "Missing expected argument"),
            (["gate", f, "--fail-if", "migrations > 1", "--max-regression", "migrations=10%"], 64, "--max-regression needs --baseline"),
            (["gate", f, "--fail-if", "migrations > 1", "--baseline", f], 64, "--baseline needs --max-regression"),
            (["gate", f, "--baseline", f, "--max-regression", "migrations=10"], 64, "the allowed increase is a percentage"),
            (["gate", f, "--fail-if", "migrations > 1", "--junit", "/nonexistent/dir/x.xml"], 64, "--junit: directory '/nonexistent/dir' does not exist"),
            (["gate", "/nonexistent/report.json", "--fail-if", "migrations > 1"], 2, "report '/nonexistent/report.json' does not exist"),
            (["gate", corrupt, "--fail-if", "migrations > 1"], 2, "report '\(corrupt)': not valid JSON (truncated)"),
            (["gate", f, "--baseline", corrupt, "--max-regression", "migrations=10%"], 2, "--baseline: report '\(corrupt)'"),
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
        let out = try Self.run(["gate", f, f, f, "--fail-if", "runnable_wait.pct > 5%", "--fail-if", "migrations > 10",
                                "--junit", xml.path], env: ["GITHUB_ACTIONS": "true"])
        #expect(out.code == 1)
        #expect(out.stdout.isEmpty)
        let annotations = out.stderr.split(separator: "\n").filter { $0.hasPrefix("::error") }
        #expect(annotations == ["::error title=thief gate::runnable_wait.pct > 5%25: observed 32.00%25 (median of 3 runs)"])
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
            try Data(reports.map { String(decoding: try enc.encode($0), as: UTF8.self) + "\n" }.joined().utf8).write(to: url)
            return url.path
        }
        let base = try save([Fixture.report(p99: 200)], "base.json")
        let slower = try save([Fixture.report(p99: 300)], "slower.json")
        let runs = try save([Fixture.report(p99: 210), Fixture.report(p99: 900), Fixture.report(p99: 220)], "runs.json")

        let regressed = try Self.run(["gate", slower, "--baseline", base, "--max-regression", "runnable_wait.p99=20%,off_core.total=10%"])
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

    /// docs/gate.md: every rule in it parses, and every `thief gate` line in its
    /// examples runs as written (on the fixture) to a verdict, never a usage error.
    @Test("the documentation's rules and thief gate commands are valid")
    func documentation() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/gate.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        // Not rules: the error example (a "$ " session line) and the grammar's placeholders.
        let examples = text.split(separator: "\n").filter { !$0.hasPrefix("$ ") }.joined(separator: "\n")
        let rules = Self.quoted(after: "--fail-if ", in: examples).filter { !$0.contains("METRIC") }
        #expect(rules.count >= 10)
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

        // Shell lines starting with `thief gate` (or `- thief gate` in YAML), continuation lines joined.
        let joined = text.replacing("\\\n", with: " ")
        let commands = joined.split(separator: "\n").map { line -> String in
            let t = line.trimmingCharacters(in: .whitespaces)
            return t.hasPrefix("- ") ? String(t.dropFirst(2)) : t
        }.filter { $0.hasPrefix("thief gate ") }
        #expect(commands.count >= 3)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("thief-gate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for name in ["report.json", "baseline.json", "runs.json"] {
            try FileManager.default.copyItem(at: Fixture.url(), to: dir.appendingPathComponent(name))
        }
        for command in commands {
            let out = try Self.run([], shell: command, in: dir)
            #expect(out.code == 0 || out.code == 1, "\(command): exit \(out.code): \(out.stderr)")
            #expect(out.stderr.hasPrefix("thief gate: "), "\(command): \(out.stderr)")
        }
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
