import Foundation
import Testing
import ThiefCore
import ThiefGate
import ThiefReport

/// The CI jobs and commands of docs/ci.md, the "CI gate" page (and of
/// docs/gate.md), run as written: every `thief gate` line and every CI script
/// that holds one, in bash with errexit as CI runs them, in a directory with
/// report files under the names the text uses. One set of reports passes every
/// rule; the other breaks each one, so each line must exit 0 on the first and
/// 1 on the second, with every one of its checks failing.
@Suite("Gate: the CI jobs of docs/ci.md")
struct GateCIJobTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The "CI gate" page, found by its heading, so the jobs move with their text.
    static func ciSection() throws -> String {
        let text = try String(contentsOf: root.appendingPathComponent("docs/ci.md"), encoding: .utf8)
        return try #require(CIText.section("# CI gate", in: text), "docs/ci.md has no '# CI gate' section")
    }

    static func docs() throws -> String {
        try String(contentsOf: root.appendingPathComponent("docs/gate.md"), encoding: .utf8)
    }

    /// A report that passes every rule of the jobs: short waits, 1 % preempted,
    /// two migrations, no kworker thief.
    static func good() throws -> Report {
        var r = try Fixture.report(p99: 100)
        r.offCore.byState?[.preempted]?.pct = 0.01
        r.offCore.byState?[.preempted]?.totalNs = 10_000_000
        r.migrations.count = 2
        r.thieves.removeAll { $0.comm.hasPrefix("kworker") }
        return r
    }

    /// A report that breaks every rule of the jobs, and regressed on each
    /// `--max-regression` entry against `good()`.
    static func bad() throws -> Report {
        var r = try Fixture.report(p99: 1000)
        r.offCore.byState?[.preempted]?.pct = 0.3
        r.migrations.count = 20
        r.offCore.totalNs = try good().offCore.totalNs * 3 / 2
        return r
    }

    /// Writes the report files a command line names: `--baseline X` (and the
    /// same names elsewhere, as in `[ -f X ]`) get `baseline`, every other
    /// `*.json` gets `report`. Returns the baseline names.
    @discardableResult
    static func writeFixtures(for text: String, in dir: URL, report: Report, baseline: Report?) throws -> [String] {
        let files = CIText.jsonFiles(in: text)
        for name in files.reports + files.baselines {
            let url = dir.appendingPathComponent(name)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try? FileManager.default.removeItem(at: url)
            let r = files.baselines.contains(name) ? baseline : report
            if let r { try Data(JSONRenderer.render(r).utf8).write(to: url) }
        }
        return files.baselines
    }

    static func tempDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("thief-ci-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// The page's jobs: a GitHub Actions workflow and a GitLab CI job, complete.
    @Test("docs/ci.md holds a complete GitHub Actions job and GitLab CI job")
    func jobsAreThere() throws {
        let section = try Self.ciSection()
        let blocks = CIText.fenced("yaml", in: section)
        let github = try #require(blocks.first { $0.contains("runs-on:") }, "no GitHub Actions job in docs/ci.md")
        let gitlab = try #require(
            blocks.first { $0.contains("script:") && !$0.contains("runs-on:") }, "no GitLab CI job in docs/ci.md")
        for key in ["on:", "jobs:", "steps:", "uses: actions/checkout", "upload-artifact"] {
            #expect(github.contains(key), "\(key)")
        }
        for key in ["script:", "artifacts:", "junit:"] { #expect(gitlab.contains(key), "\(key)") }
        for job in [github, gitlab] {
            let scripts = CIText.scripts(job)
            // Installs thief, measures ./bench.sh with thief's options before --, gates, writes JUnit.
            #expect(scripts.contains { $0.contains("install") && $0.contains("/usr/local/bin/thief") })
            let measure = try #require(scripts.first { $0.contains("sudo") && $0.contains("thief -d") })
            #expect(measure.contains("--repeat 3 --format json -o report.json"))
            #expect(measure.contains("-- ./bench.sh"))
            #expect(!(measure.components(separatedBy: "-- ./bench.sh").last ?? "").contains("--"))
            #expect(scripts.joined().contains("--junit"))
            #expect(
                scripts.contains { $0.contains("if [ -f ") && $0.contains("thief gate ") && $0.contains("--baseline") })
        }
        // sudo resets the environment: where the measuring step gates, it keeps GITHUB_ACTIONS.
        let gating = CIText.scripts(github).filter { $0.contains("sudo") && $0.contains("--fail-if") }
        #expect(!gating.isEmpty)
        for s in gating {
            #expect(s.contains("sudo --preserve-env=GITHUB_ACTIONS thief") || s.contains("sudo -E thief"), "\(s)")
        }
        // Every rule and --max-regression list of the section parses.
        let rules = GateCLITests.quoted(after: "--fail-if ", in: section)
        #expect(rules.count >= 8)
        for r in rules { #expect(ruleError(r) == nil, "docs/ci.md: \(r)") }
        let lists = GateCLITests.quoted(after: "--max-regression ", in: section)
        #expect(lists.count >= 3)
        for l in lists { #expect(regressionError(l) == nil, "docs/ci.md: \(l)") }
    }

    @Test("every thief gate line of docs/ci.md exits 0 on a passing report and 1 on a failing one")
    func ciLines() throws {
        let section = try Self.ciSection()
        let lines = CIText.gateLines(in: section)
        // The examples (2), GitHub (1), GitLab (2, one the `if [ -f … ]; then thief gate …; fi` form).
        #expect(lines.count >= 5, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("if [ -f ") && $0.contains("; then thief gate ") })
        try Self.check(lines, from: "docs/ci.md")
    }

    @Test("every thief gate line of docs/gate.md exits 0 on a passing report and 1 on a failing one")
    func docLines() throws {
        let lines = CIText.gateLines(in: try Self.docs())
        #expect(lines.count >= 4, "\(lines)")
        try Self.check(lines, from: "docs/gate.md")
    }

    /// Each line as written: exit 0 with "pass" on good reports; exit 1 on bad
    /// ones with every check but the implicit lost-events one failing (the same
    /// count the library's Gate finds); an `if [ -f BASELINE ]` line without
    /// its baseline runs nothing and exits 0.
    static func check(_ lines: [String], from source: String) throws {
        let good = try Self.good(), bad = try Self.bad()
        for line in lines {
            let dir = try Self.tempDir()
            defer { try? FileManager.default.removeItem(at: dir) }
            let args = CIText.gateArguments(line)
            let rules = try GateCLITests.quoted(after: "--fail-if ", in: line).map { try RuleParser.rule($0) }
            let regressions = try GateCLITests.quoted(after: "--max-regression ", in: line).flatMap {
                try RuleParser.regressions($0)
            }
            #expect(!rules.isEmpty || !regressions.isEmpty, "\(source): \(line)")
            let checks = rules.count + regressions.count

            try Self.writeFixtures(for: line, in: dir, report: good, baseline: good)
            let pass = try GateCLITests.run([], shell: line, in: dir)
            #expect(pass.code == 0, "\(source): \(line): exit \(pass.code): \(pass.stderr)")
            #expect(
                pass.stderr.hasPrefix("thief gate: pass, \(checks + 1) checks passed"),
                "\(source): \(line): \(pass.stderr)")

            try Self.writeFixtures(for: line, in: dir, report: bad, baseline: good)
            let expected = try Gate(
                rules: rules, regressions: regressions, baseline: args.baseline == nil ? [] : [good]
            ).judge([bad])
            #expect(expected.failures == checks, "\(source): \(line): the failing fixture does not break every check")
            let fail = try GateCLITests.run([], shell: line, in: dir)
            #expect(fail.code == 1, "\(source): \(line): exit \(fail.code): \(fail.stderr)")
            #expect(
                fail.stderr.hasPrefix("thief gate: FAIL, \(checks) of \(checks + 1) checks failed"),
                "\(source): \(line): \(fail.stderr)")
            #expect(
                fail.stderr.split(separator: "\n").filter { $0.hasSuffix("  FAIL") }.count == checks,
                "\(source): \(line): \(fail.stderr)")
            for junit in args.junit {
                let tree = try XMLTree.parse(String(contentsOf: dir.appendingPathComponent(junit), encoding: .utf8))
                #expect(tree.all("failure").count == checks, "\(source): \(line): \(junit)")
            }

            if line.hasPrefix("if [ -f ") {
                for name in CIText.jsonFiles(in: line).baselines {
                    try FileManager.default.removeItem(at: dir.appendingPathComponent(name))
                }
                let skipped = try GateCLITests.run([], shell: line, in: dir)
                #expect(
                    skipped.code == 0 && skipped.stderr.isEmpty,
                    "\(source): \(line) without a baseline: \(skipped.stderr)")
            }
        }
    }

    /// The jobs' gate steps as whole scripts (bash -e, as the runners run
    /// them): the GitHub step with its multi-line `if`, the GitLab script's gate
    /// lines in order. On GitHub (`GITHUB_ACTIONS=true`) failures are annotations.
    @Test(
        "the jobs' gate scripts of docs/ci.md run as CI runs them: pass, fail with annotations, first run without a baseline"
    )
    func ciScripts() throws {
        let section = try Self.ciSection()
        let blocks = CIText.fenced("yaml", in: section)
        let github = try #require(blocks.first { $0.contains("runs-on:") })
        let gitlab = try #require(blocks.first { $0.contains("script:") && !$0.contains("runs-on:") })
        let jobs: [(String, [String], [String: String])] = [
            (
                "GitHub Actions", CIText.scripts(github).filter { $0.contains("thief gate ") },
                ["GITHUB_ACTIONS": "true"]
            ),
            (
                "GitLab CI", [CIText.scripts(gitlab).filter { $0.contains("thief gate ") }.joined(separator: "\n")],
                ["GITLAB_CI": "true"]
            ),
        ]
        let good = try Self.good(), bad = try Self.bad()
        for (name, scripts, env) in jobs {
            #expect(!scripts.isEmpty && scripts.allSatisfy { !$0.isEmpty }, "\(name)")
            for script in scripts {
                let gates = CIText.gateLines(in: script).count
                let dir = try Self.tempDir()
                defer { try? FileManager.default.removeItem(at: dir) }
                let baselines = try Self.writeFixtures(for: script, in: dir, report: good, baseline: good)
                let pass = try GateCLITests.run([], shell: script, in: dir, env: env)
                #expect(pass.code == 0, "\(name): \(script): \(pass.stderr)")
                #expect(
                    pass.stderr.components(separatedBy: "thief gate: pass").count - 1 == gates,
                    "\(name): \(pass.stderr)")
                #expect(!pass.stderr.contains("::error"))

                try Self.writeFixtures(for: script, in: dir, report: bad, baseline: good)
                let fail = try GateCLITests.run([], shell: script, in: dir, env: env)
                #expect(fail.code == 1, "\(name): \(script): \(fail.stderr)")
                // errexit: the first failing gate ends the script, as it ends the CI job.
                #expect(
                    fail.stderr.components(separatedBy: "thief gate: FAIL").count - 1 == 1, "\(name): \(fail.stderr)")
                let annotations = fail.stderr.split(separator: "\n").filter {
                    $0.hasPrefix("::error title=thief gate::")
                }
                let failedRows = fail.stderr.split(separator: "\n").filter { $0.hasSuffix("  FAIL") }
                if env["GITHUB_ACTIONS"] == "true" {
                    #expect(annotations.count == failedRows.count && !annotations.isEmpty, "\(name): \(fail.stderr)")
                } else {
                    #expect(annotations.isEmpty)
                }

                // The first run has no baseline: the comparison is skipped, the rest still gates.
                for b in baselines { try FileManager.default.removeItem(at: dir.appendingPathComponent(b)) }
                try Self.writeFixtures(for: script, in: dir, report: good, baseline: nil)
                let first = try GateCLITests.run([], shell: script, in: dir, env: env)
                #expect(first.code == 0, "\(name): \(first.stderr)")
                #expect(!first.stderr.contains("BASELINE"))
            }
        }
    }
}

/// Reading commands out of Markdown and CI YAML, line by line (no YAML library:
/// the jobs are written in the plain block style these functions read).
enum CIText {
    /// From `heading` to the next heading of the same level.
    /// The heading may open the file (a page's title).
    static func section(_ heading: String, in text: String) -> String? {
        guard
            let start = text.hasPrefix(heading + "\n")
                ? text.range(of: heading + "\n") : text.range(of: "\n" + heading + "\n")
        else { return nil }
        let rest = text[start.upperBound...]
        let level = heading.prefix { $0 == "#" }
        let end = rest.range(of: "\n" + level + " ")?.lowerBound ?? rest.endIndex
        return String(rest[..<end])
    }

    /// The bodies of the fenced blocks of a language.
    static func fenced(_ language: String, in text: String) -> [String] {
        var blocks: [String] = [], current: [Substring]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line == "```" + language {
                current = []
            } else if current != nil, line == "```" {
                blocks.append(current!.joined(separator: "\n"))
                current = nil
            } else if current != nil {
                current!.append(line)
            }
        }
        return blocks
    }

    static func indent(_ line: Substring) -> Int { line.prefix { $0 == " " }.count }

    /// Shell scripts of a job: GitHub `run:` values (one line, or a `run: |`
    /// block, dedented) and each item of a GitLab `script:` list.
    static func scripts(_ yaml: String) -> [String] {
        let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
        var out: [String] = [], i = 0
        while i < lines.count {
            let line = lines[i], t = line.trimmingCharacters(in: .whitespaces)
            let key = t.hasPrefix("- ") ? String(t.dropFirst(2)) : t
            if key.hasPrefix("run: ") {
                let value = String(key.dropFirst(5))
                if value == "|" {
                    let base = indent(line)
                    var body: [Substring] = []
                    i += 1
                    while i < lines.count,
                        lines[i].trimmingCharacters(in: .whitespaces).isEmpty || indent(lines[i]) > base
                    {
                        body.append(lines[i])
                        i += 1
                    }
                    let margin = body.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.map(indent).min() ?? 0
                    out.append(
                        body.map { String($0.dropFirst(Swift.min(margin, indent($0)))) }.joined(separator: "\n")
                            .trimmingCharacters(in: .whitespacesAndNewlines))
                    continue
                }
                out.append(value)
            } else if key == "script:" {
                let base = indent(line)
                i += 1
                while i < lines.count, indent(lines[i]) > base,
                    lines[i].trimmingCharacters(in: .whitespaces).hasPrefix("- ")
                {
                    out.append(String(lines[i].trimmingCharacters(in: .whitespaces).dropFirst(2)))
                    i += 1
                }
                continue
            }
            i += 1
        }
        return out
    }

    /// Logical shell lines (backslash continuations joined; a YAML `- ` item
    /// marker dropped) that run `thief gate`: starting with it, or the
    /// one-line `if [ -f … ]; then thief gate …; fi` form.
    static func gateLines(in text: String) -> [String] {
        text.replacing("\\\n", with: " ").split(separator: "\n").map { line -> String in
            let t = line.trimmingCharacters(in: .whitespaces)
            return (t.hasPrefix("- ") ? String(t.dropFirst(2)) : t).split(
                separator: " ", omittingEmptySubsequences: true
            ).joined(separator: " ")
        }.filter { $0.hasPrefix("thief gate ") || ($0.hasPrefix("if [ ") && $0.contains("then thief gate ")) }
    }

    /// Shell words, single quotes respected (enough for these lines).
    static func words(_ line: String) -> [String] {
        var words: [String] = [], current = "", quoted = false, inWord = false
        for c in line {
            if c == "'" {
                quoted.toggle()
                inWord = true
            } else if !quoted && (c == " " || c == "\n" || c == ";") {
                if inWord { words.append(current) }
                current = ""
                inWord = false
            } else {
                current.append(c)
                inWord = true
            }
        }
        if inWord { words.append(current) }
        return words
    }

    /// The `*.json` files a text names: after `--baseline` (or the same names
    /// elsewhere) baselines, all others reports.
    static func jsonFiles(in text: String) -> (reports: [String], baselines: [String]) {
        let w = words(text.replacing("\\\n", with: " "))
        let baselines = Set(w.indices.filter { $0 > 0 && w[$0 - 1] == "--baseline" }.map { w[$0] })
        var reports: [String] = [], seen: Set<String> = []
        for word in w where word.hasSuffix(".json") && !baselines.contains(word) && seen.insert(word).inserted {
            reports.append(word)
        }
        return (reports, baselines.sorted())
    }

    static func gateArguments(_ line: String) -> (baseline: String?, junit: [String]) {
        let w = words(line)
        let after = { (flag: String) in w.indices.filter { $0 > 0 && w[$0 - 1] == flag }.map { w[$0] } }
        return (after("--baseline").first, after("--junit"))
    }
}
