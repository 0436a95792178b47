import Foundation
import Testing
import ThiefCore
import ThiefGate

extension LiveTests {
    /// The gate on a real measurement: a victim sharing CPU 0 with a competitor
    /// waits about half the time, so `runnable_wait.pct > 5%` (the condition
    /// that fails the build) holds and `> 95%` does not. Exit codes come from
    /// the thief process itself; stdout stays the clean JSON report.
    @Test("gate: a victim with a competitor on its CPU fails 'runnable_wait.pct > 5%' and passes '> 95%'")
    func gateOnRunnableWait() throws {
        try Live.require()
        let victim = try Child.workload(["spin", "--name", "victim", "--cpu", "0", "--seconds", "30"])
        let competitor = try Child.workload(["spin", "--name", "competitor", "--cpu", "0", "--seconds", "30"])
        defer {
            victim.end()
            competitor.end()
        }
        sleepSeconds(0.3)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("thief-live-gate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }

        let failing = try ThiefRun([
            "-p", "\(victim.pid)", "-d", "2s", "--format", "json", "--fail-if", "runnable_wait.pct > 5%",
        ])
        #expect(failing.wait() == 1, "stderr: \(failing.stderr)")
        let r = try failing.report()
        let share = r.num("runnable_wait.pct")
        // About half with the competitor alone; more when other work shares CPU 0 too.
        print("GATE victim runnable_wait.pct \(share) (two tasks on CPU 0: ~0.5)")
        #expect(share > 0.2 && share < 0.95)
        #expect(failing.stderr.contains("thief gate: FAIL, 1 of 2 checks failed"), "\(failing.stderr)")
        #expect(
            failing.stderr.split(separator: "\n").contains {
                $0.contains("runnable_wait.pct > 5%") && $0.hasSuffix("FAIL")
            })

        let junit = dir.appendingPathComponent("junit.xml")
        let passing = try ThiefRun([
            "-p", "\(victim.pid)", "-d", "2s", "--format", "json", "--fail-if", "runnable_wait.pct > 95%",
            "--junit", junit.path,
        ])
        #expect(passing.wait() == 0, "stderr: \(passing.stderr)")
        #expect(try passing.report().num("runnable_wait.pct") < 0.95)
        #expect(passing.stderr.contains("thief gate: pass, 2 checks passed"), "\(passing.stderr)")
        let xml = (try? String(contentsOf: junit, encoding: .utf8)) ?? ""
        #expect(xml.contains("<testcase name=\"runnable_wait.pct &gt; 95%\""))
        #expect(xml.contains("failures=\"0\""))

        // A launched command: thief's options before --, then the command (the issue's literal
        // `thief -- ./bench.sh --fail-if …` is refused with exit 64: GateCLITests.gateOptionAfterTerminator).
        // The launched spinner shares CPU 0 with the competitor.
        let launched = try ThiefRun([
            "--format", "json", "--fail-if", "off_core.preempted.total > 2%", "--",
            Live.workloads, "spin", "--name", "bench", "--cpu", "0", "--seconds", "1",
        ])
        #expect(launched.wait() == 1, "stderr: \(launched.stderr)")
        #expect(try launched.report().num("off_core.by_state.preempted.pct") > 0.02)

        // --repeat 2: both reports on stdout (one after the other), the median judged.
        let repeated = try ThiefRun([
            "-p", "\(victim.pid)", "-d", "1s", "--repeat", "2", "--format", "json",
            "--fail-if", "runnable_wait.pct > 5%", "--fail-if", "thief[comm=competitor].pct < 10%",
        ])
        #expect(repeated.wait() == 1, "stderr: \(repeated.stderr)")
        let reports = try ReportFile.reports(in: Data(repeated.stdout.utf8))
        #expect(reports.count == 2)
        #expect(
            repeated.stderr.contains("thief gate: FAIL, 1 of 3 checks failed (median of 2 runs)"), "\(repeated.stderr)")

        // A bad rule is refused before anything is traced.
        let bad = try ThiefRun(["-p", "\(victim.pid)", "-d", "2s", "--fail-if", "runnable_wait.pct > 5"])
        #expect(bad.wait() == 64)
        #expect(
            bad.stderr.hasPrefix("thief: error: --fail-if: invalid rule 'runnable_wait.pct > 5' at column 22"),
            "\(bad.stderr)")
        #expect(bad.stderr.split(separator: "\n").count == 1)
        #expect(bad.stdout.isEmpty)
        let norepeat = try ThiefRun(["-p", "\(victim.pid)", "--repeat", "3", "--fail-if", "migrations > 1"])
        #expect(norepeat.wait() == 64)
        #expect(norepeat.stderr.contains("--repeat needs -d DURATION or a command"))
    }

    /// The CI jobs of docs/ci.md, measuring for real: each job's `sudo thief -d … --repeat 3
    /// --format json -o report.json … -- ./bench.sh` line runs as written (in bash -e, in a
    /// directory with a small ./bench.sh, `sudo` a shim that resets GITHUB_ACTIONS as sudo
    /// does unless it is kept), then the job's `thief gate` lines judge what it wrote.
    @Test("the measuring steps of docs/ci.md's jobs on a real ./bench.sh, and their gate lines on what they wrote")
    func ciJobs() throws {
        try Live.require()
        let page = try String(
            contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("docs/ci.md"), encoding: .utf8)
        // The "CI gate" page, found by its title (the whole page is the section).
        let section = try #require(
            page.hasPrefix("# CI gate\n") ? page : nil, "docs/ci.md does not open with '# CI gate'")
        let jobs = section.components(separatedBy: "```yaml\n").dropFirst().compactMap {
            $0.components(separatedBy: "\n```").first
        }
        let github = try #require(jobs.first { $0.contains("runs-on:") }),
            gitlab = try #require(jobs.first { !$0.contains("runs-on:") })

        // bench.sh: a CPU-bound second on CPU 0, where a competitor runs too; it prints to stdout.
        let competitor = try Child.workload(["spin", "--name", "competitor", "--cpu", "0", "--seconds", "60"])
        defer { competitor.end() }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("thief-live-ci-\(UUID().uuidString)")
        let bin = dir.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createSymbolicLink(
            atPath: bin.appendingPathComponent("thief").path, withDestinationPath: Live.binary)
        try FileManager.default.createSymbolicLink(
            atPath: bin.appendingPathComponent("thief-workloads").path, withDestinationPath: Live.workloads)
        try Self.script(
            bin.appendingPathComponent("sudo"),
            """
            #!/bin/sh
            # sudo for tests that already run as root: like sudo's env_reset, it drops
            # GITHUB_ACTIONS unless -E or --preserve-env[=…GITHUB_ACTIONS…] keeps it.
            keep=no
            while [ $# -gt 0 ]; do
              case "$1" in
                -E|--preserve-env) keep=yes; shift ;;
                --preserve-env=*) case ",${1#--preserve-env=}," in *,GITHUB_ACTIONS,*) keep=yes ;; esac; shift ;;
                --) shift; break ;;
                -*) shift ;;
                *) break ;;
              esac
            done
            [ "$keep" = yes ] || unset GITHUB_ACTIONS
            exec "$@"
            """)
        try Self.script(
            dir.appendingPathComponent("bench.sh"),
            """
            #!/bin/sh
            echo "bench: one second of work"
            exec thief-workloads spin --name bench --cpu 0 --seconds 1
            """)
        let env = ["PATH": bin.path + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]

        // GitHub: measure and gate in one step, annotations through sudo --preserve-env.
        let githubMeasure = try #require(
            Self.lines(github).first { $0.hasPrefix("sudo ") && $0.contains("-- ./bench.sh") })
        #expect(githubMeasure.contains("--fail-if"))
        try Data("stale".utf8).write(to: dir.appendingPathComponent("report.json"))  // replaced, not appended to
        let measured = try Self.bash(githubMeasure, in: dir, env: env.merging(["GITHUB_ACTIONS": "true"]) { $1 })
        let reports = try ReportFile.load(path: dir.appendingPathComponent("report.json").path)
        #expect(reports.count == 3, "--repeat 3 -o report.json keeps every run")
        #expect(reports.allSatisfy { $0.target.command == ["./bench.sh"] && $0.target.exitStatus == 0 })
        let rules = try Self.quoted(after: "--fail-if ", in: githubMeasure).map { try RuleParser.rule($0) }
        let verdict = try Gate(rules: rules).judge(reports)
        print(
            "GATE docs/ci.md GitHub job: preempted \(reports.map { $0.offCore.byState?[.preempted]?.pct ?? -1 }), failed \(verdict.failures)"
        )
        // The bench shares CPU 0 with the competitor: preempted far above 2 %, so the gate fails, as the library says.
        #expect(verdict.failed)
        #expect(measured.code == (verdict.failed ? 1 : 0), "\(measured.stderr)")
        #expect(measured.stderr.contains("(median of 3 runs)"))
        let annotations = measured.stderr.split(separator: "\n").filter { $0.hasPrefix("::error title=thief gate::") }
        #expect(annotations.count == verdict.failures, "\(measured.stderr)")
        #expect(measured.stdout.contains("bench: one second of work"))  // the command's output, not in report.json
        let junit = (try? String(contentsOf: dir.appendingPathComponent("thief-junit.xml"), encoding: .utf8)) ?? ""
        #expect(junit.components(separatedBy: "<failure ").count - 1 == verdict.failures)
        // Without --preserve-env, sudo drops GITHUB_ACTIONS: the gate still fails, silently for GitHub.
        let plain = try Self.bash(
            githubMeasure.replacing("sudo --preserve-env=GITHUB_ACTIONS ", with: "sudo "), in: dir,
            env: env.merging(["GITHUB_ACTIONS": "true"]) { $1 })
        #expect(plain.code == 1)
        #expect(!plain.stderr.contains("::error"))

        // The GitHub comparison step on what was measured, against a baseline equal to it: no
        // regression (a busy machine may still have lost events, which fail the gate by themselves).
        let compare = try #require(Self.steps(github).first { $0.contains("thief gate ") && $0.contains("--baseline") })
        try FileManager.default.copyItem(
            at: dir.appendingPathComponent("report.json"), to: dir.appendingPathComponent("baseline.json"))
        let compareRegressions = try Self.quoted(after: "--max-regression ", in: compare).flatMap {
            try RuleParser.regressions($0)
        }
        let noChange = try Gate(regressions: compareRegressions, baseline: reports).judge(reports)
        #expect(noChange.regressions.count == 2 && noChange.regressions.allSatisfy { !$0.failed && $0.change == 0 })
        let compared = try Self.bash(compare, in: dir, env: env.merging(["GITHUB_ACTIONS": "true"]) { $1 })
        #expect(compared.code == (noChange.failed ? 1 : 0), "\(compared.stderr)")
        #expect(compared.stderr.components(separatedBy: "  +0.0%  ").count - 1 == 2, "\(compared.stderr)")

        // GitLab: measure (no gate), then its thief gate lines on report.json, in order.
        let gitlabMeasure = try #require(
            Self.lines(gitlab).first { $0.hasPrefix("sudo ") && $0.contains("-- ./bench.sh") })
        let plainMeasure = try Self.bash(gitlabMeasure, in: dir, env: env)
        #expect(plainMeasure.code == 0, "\(plainMeasure.stderr)")
        let again = try ReportFile.load(path: dir.appendingPathComponent("report.json").path)
        #expect(again.count == 3)
        try FileManager.default.createDirectory(
            at: dir.appendingPathComponent("baseline"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: dir.appendingPathComponent("report.json"), to: dir.appendingPathComponent("baseline/report.json"))
        let gates = Self.lines(gitlab).filter { $0.contains("thief gate ") }
        #expect(gates.count == 2)
        for line in gates {
            let lineRules = try Self.quoted(after: "--fail-if ", in: line).map { try RuleParser.rule($0) }
            let regressions = try Self.quoted(after: "--max-regression ", in: line).flatMap {
                try RuleParser.regressions($0)
            }
            let expected = try Gate(
                rules: lineRules, regressions: regressions, baseline: regressions.isEmpty ? [] : again
            ).judge(again)
            let out = try Self.bash(line, in: dir, env: env)
            #expect(out.code == (expected.failed ? 1 : 0), "\(line): \(out.stderr)")
            #expect(
                out.stderr.hasPrefix(
                    expected.failed ? "thief gate: FAIL, \(expected.failures) of" : "thief gate: pass"),
                "\(line): \(out.stderr)")
        }
    }

    static func script(_ url: URL, _ text: String) throws {
        try Data((text + "\n").utf8).write(to: url)
        chmod(url.path, 0o755)
    }

    struct Shell {
        var code: Int32
        var stdout: String
        var stderr: String
    }

    /// One CI line or script, as the runners run it: bash -e -o pipefail.
    static func bash(_ script: String, in dir: URL, env: [String: String]) throws -> Shell {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = ["--noprofile", "--norc", "-eo", "pipefail", "-c", script]
        var environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
        if env["GITHUB_ACTIONS"] == nil { environment["GITHUB_ACTIONS"] = nil }
        p.environment = environment
        p.currentDirectoryURL = dir
        let out = dir.appendingPathComponent(".out"), err = dir.appendingPathComponent(".err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = try FileHandle(forWritingTo: err)
        try p.run()
        p.waitUntilExit()
        return Shell(
            code: p.terminationStatus, stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }

    /// Logical shell lines of a job (continuations joined, YAML list markers dropped).
    static func lines(_ yaml: String) -> [String] {
        yaml.replacing("\\\n", with: " ").split(separator: "\n").map { line in
            let t = line.trimmingCharacters(in: .whitespaces)
            return (t.hasPrefix("- ") ? String(t.dropFirst(2)) : t).split(separator: " ").joined(separator: " ")
        }
    }

    /// The bodies of a GitHub job's `run: |` blocks.
    static func steps(_ yaml: String) -> [String] {
        yaml.components(separatedBy: "run: |\n").dropFirst().map { block in
            let body = block.split(separator: "\n", omittingEmptySubsequences: false)
            let margin = body.first.map { $0.prefix { $0 == " " }.count } ?? 0
            return body.prefix { $0.prefix { $0 == " " }.count >= margin && !$0.isEmpty }
                .map { String($0.dropFirst(margin)) }.joined(separator: "\n")
        }
    }

    /// Every single-quoted argument after `flag`.
    static func quoted(after flag: String, in text: String) -> [String] {
        text.components(separatedBy: flag + "'").dropFirst().compactMap { $0.components(separatedBy: "'").first }
    }
}
