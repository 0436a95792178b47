import Foundation
import Testing
import ThiefCore
import ThiefReport

/// Capture for cron and later analysis: recordings replay byte for byte,
/// intervals add up exactly, files are appended whole and never torn.
extension LiveTests {
    func tempPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("thief-\(UUID().uuidString)-\(name)").path
    }

    @Test("a recording replays byte for byte what the live run printed, text and JSON")
    func recordReplay() throws {
        try Live.require()
        let victim = try Child.workload(["spin", "--name", "victim", "--cpu", "0", "--seconds", "30"])
        let competitor = try Child.workload(["spin", "--name", "competitor", "--cpu", "0", "--seconds", "30"])
        defer {
            victim.end()
            competitor.end()
        }
        sleepSeconds(0.2)
        for format in ["json", "text"] {
            let file = tempPath("run.thief")
            defer { try? FileManager.default.removeItem(atPath: file) }
            let live = try ThiefRun(["-p", "\(victim.pid)", "-d", "1s", "-q", "--format", format, "--record", file])
            #expect(live.wait() == 0)
            let first = try ThiefRun(["report", file, "--format", format])
            #expect(first.wait() == 0)
            let second = try ThiefRun(["report", file, "--format", format])
            #expect(second.wait() == 0)
            #expect(!live.stdout.isEmpty)
            #expect(first.stdout == live.stdout, "replay differs from the live \(format) report")
            #expect(second.stdout == first.stdout)
        }
    }

    @Test("live intervals add up to the whole run from the same records, to the nanosecond")
    func intervalsExact() throws {
        try Live.require()
        let victim = try Child.workload(["spin", "--name", "victim", "--cpu", "0", "--seconds", "30"])
        let competitor = try Child.workload(["periodic", "--name", "noisy", "--cpu", "0", "--seconds", "30"])
        defer {
            victim.end()
            competitor.end()
        }
        sleepSeconds(0.2)
        let file = tempPath("iv.thief")
        defer { try? FileManager.default.removeItem(atPath: file) }
        let live = try ThiefRun([
            "-p", "\(victim.pid)", "--interval", "300ms", "--count", "5", "-q", "--format", "ndjson", "--record", file,
        ])
        #expect(live.wait() == 0)
        let lines = live.stdout.split(separator: "\n")
        #expect(lines.count == 5, "--count 5 prints exactly 5 reports")
        let parts = try lines.map { try JSONDecoder().decode(Report.self, from: Data($0.utf8)) }
        let whole = try ThiefRun(["report", file, "--format", "json"])
        #expect(whole.wait() == 0)
        let w = try JSONDecoder().decode(Report.self, from: Data(whole.stdout.utf8))
        func sum(_ f: (Report) -> UInt64) -> UInt64 { parts.reduce(0) { $0 + f($1) } }
        #expect(sum { $0.onCore.totalNs } == w.onCore.totalNs)
        #expect(sum { $0.offCore.totalNs } == w.offCore.totalNs)
        #expect(sum { $0.runnableWait.totalNs } == w.runnableWait.totalNs)
        #expect(sum { $0.onCore.count } == w.onCore.count)
        #expect(sum { $0.offCore.count } == w.offCore.count)
        #expect(sum { $0.records } == w.records)
        #expect(parts.map { $0.interval?.index ?? -1 } == Array(0..<parts.count))
        // The replay with the same interval prints the same bytes, every
        // number of every interval (lost/missed counts so far included).
        let again = try ThiefRun(["report", file, "--interval", "300ms", "--format", "ndjson"])
        #expect(again.wait() == 0)
        #expect(again.stdout == live.stdout, "the replayed intervals differ from the live ones")
        let replayed = try again.stdout.split(separator: "\n").map {
            try JSONDecoder().decode(Report.self, from: Data($0.utf8))
        }
        #expect(replayed == parts)
    }

    @Test("a recorded interval run replays byte for byte as CSV with per-thread rows")
    func intervalReplayCSV() throws {
        try Live.require()
        let victim = try Child.workload(["spin", "--name", "victim", "--cpu", "0", "--seconds", "30"])
        let competitor = try Child.workload(["periodic", "--name", "noisy", "--cpu", "0", "--seconds", "30"])
        defer {
            victim.end()
            competitor.end()
        }
        sleepSeconds(0.2)
        let file = tempPath("iv-csv.thief")
        defer { try? FileManager.default.removeItem(atPath: file) }
        let live = try ThiefRun([
            "-p", "\(victim.pid)", "--interval", "200ms", "--count", "4", "-q", "--format", "csv",
            "--per-thread", "--record", file,
        ])
        #expect(live.wait() == 0)
        let rows = live.stdout.split(separator: "\n")
        #expect(rows.count == 1 + 4 * 2, "a header, then a process row and a thread row per interval")
        let replay = try ThiefRun(["report", file, "--interval", "200ms", "--format", "csv", "--per-thread"])
        #expect(replay.wait() == 0)
        #expect(replay.stdout == live.stdout)
    }

    @Test("a write error on standard output is one line and exit 2, not a crash")
    func stdoutErrors() throws {
        try Live.require()
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("ThiefCoreTests/Fixtures/competitor.thief").path
        // `thief report FILE > /dev/full`: ENOSPC.
        let full = try runWithStdout([Live.binary, "report", fixture], to: FileHandle(forWritingAtPath: "/dev/full")!)
        #expect(full.code == 2)
        #expect(
            full.stderr == "thief: error: cannot write standard output: No space left on device\n", "\(full.stderr)")
        // A live run whose reader went away: EPIPE (thief ignores SIGPIPE while tracing).
        let victim = try Child.workload(["periodic", "--name", "victim", "--seconds", "30"])
        defer { victim.end() }
        let pipe = Pipe()
        try pipe.fileHandleForReading.close()
        let broken = try runWithStdout(
            [
                Live.binary, "-p", "\(victim.pid)", "--interval", "100ms", "--count", "3", "-q",
                "--format", "ndjson",
            ], to: pipe.fileHandleForWriting)
        #expect(broken.code == 2)
        #expect(broken.stderr.split(separator: "\n").count == 1, "\(broken.stderr)")
        #expect(broken.stderr.contains("cannot write standard output: Broken pipe"), "\(broken.stderr)")
    }

    /// Runs argv with stdout on `out`; stderr captured.
    func runWithStdout(_ argv: [String], to out: FileHandle) throws -> (code: Int32, stderr: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: argv[0])
        p.arguments = Array(argv.dropFirst())
        let errURL = URL(fileURLWithPath: tempPath("stderr"))
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errURL) }
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = out
        p.standardError = try FileHandle(forWritingTo: errURL)
        try p.run()
        try? out.close()
        p.waitUntilExit()
        return (p.terminationStatus, (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
    }

    @Test("CSV appends under one header, refuses another header, quotes hostile names")
    func csvAppend() throws {
        try Live.require()
        let name = "a,\"b c"
        let victim = try Child.workload(["periodic", "--name", name, "--seconds", "30"])
        defer { victim.end() }
        sleepSeconds(0.2)
        let csv = tempPath("out.csv")
        defer { try? FileManager.default.removeItem(atPath: csv) }
        for _ in 0..<2 {
            let run = try ThiefRun([
                "-p", "\(victim.pid)", "-d", "300ms", "-q", "--format", "csv", "--output", csv, "--per-thread",
            ])
            #expect(run.wait() == 0)
            #expect(run.stdout.isEmpty)
        }
        let rows = try parseCSV(csv)
        #expect(rows.count == 1 + 4)  // header, then a process row and a thread row per run
        #expect(rows[0].count == CSVRenderer.columns.count)
        #expect(rows.dropFirst().allSatisfy { $0.count == rows[0].count })
        let comm = rows[0].firstIndex(of: "comm")!
        #expect(rows[1][comm] == name)

        let other = tempPath("other.csv")
        defer { try? FileManager.default.removeItem(atPath: other) }
        try "time,value\n1,2\n".write(toFile: other, atomically: true, encoding: .utf8)
        let refused = try ThiefRun(["-p", "\(victim.pid)", "-d", "300ms", "--format", "csv", "--output", other])
        #expect(refused.wait() == 64)
        #expect(refused.stderr.contains("different CSV header"))
        #expect(try String(contentsOfFile: other, encoding: .utf8) == "time,value\n1,2\n")
    }

    @Test("a full disk is exit 2 with every earlier row intact; SIGTERM writes the last interval whole")
    func fullDiskAndSigterm() throws {
        try Live.require()
        let victim = try Child.workload(["periodic", "--name", "victim", "--seconds", "30"])
        defer { victim.end() }
        let dir = tempPath("tmpfs")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { _ = shell("umount \(dir); rmdir \(dir)") }
        #expect(shell("mount -t tmpfs -o size=12k tmpfs \(dir)") == 0)
        let csv = dir + "/full.csv"
        let run = try ThiefRun([
            "-p", "\(victim.pid)", "--interval", "50ms", "-q", "--format", "csv", "--per-thread", "--output", csv,
        ])
        #expect(run.wait(timeout: 60) == 2)
        #expect(run.stderr.contains("No space left on device"), "\(run.stderr)")
        let text = try String(contentsOfFile: csv, encoding: .utf8)
        #expect(text.hasSuffix("\n"))
        let rows = try parseCSV(csv)
        #expect(rows.count > 5)
        #expect(rows.allSatisfy { $0.count == CSVRenderer.columns.count })

        let out = tempPath("term.ndjson")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let term = try ThiefRun(["-p", "\(victim.pid)", "--interval", "200ms", "--format", "ndjson", "--output", out])
        try term.waitAttached()
        sleepSeconds(0.7)
        term.process.terminate()
        #expect(term.wait() == 0)
        let lines = try String(contentsOfFile: out, encoding: .utf8)
        #expect(lines.hasSuffix("\n"))
        let reports = try lines.split(separator: "\n").map {
            try JSONDecoder().decode(Report.self, from: Data($0.utf8))
        }
        #expect(reports.count >= 3)
        #expect(reports.last?.window.endReason == "signal")
    }

    @Test("a truncated or corrupt recording is one line and exit 2")
    func corruptRecording() throws {
        try Live.require()
        let victim = try Child.workload(["periodic", "--name", "victim", "--seconds", "30"])
        defer { victim.end() }
        let file = tempPath("c.thief")
        defer { try? FileManager.default.removeItem(atPath: file) }
        #expect(try ThiefRun(["record", "-o", file, "-p", "\(victim.pid)", "-d", "300ms", "-q"]).wait() == 0)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        for cut in [0, 5, 12, bytes.count / 2, bytes.count - 1] {
            try bytes.prefix(cut).write(to: URL(fileURLWithPath: file))
            let r = try ThiefRun(["report", file])
            #expect(r.wait() == 2)
            #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        }
        bytes[20] ^= 0xff
        try bytes.write(to: URL(fileURLWithPath: file))
        let r = try ThiefRun(["report", file])
        #expect(r.wait() == 2)
        #expect(!r.stderr.contains("Fatal error"))
    }

    @Test("the cron line and systemd unit of docs/capture.md run exactly as written")
    func cronLine() throws {
        try Live.require()
        let page = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/capture.md")
        let text = try String(contentsOf: page, encoding: .utf8)
        let lines = text.split(separator: "\n").map(String.init)
        let line = try #require(lines.first { $0.contains("thief-cron-example") })
        // "m h dom mon dow user command": cron hands the command to /bin/sh as it stands.
        let fields = line.split(separator: " ", maxSplits: 6, omittingEmptySubsequences: true)
        #expect(fields.count == 7)
        #expect(fields[5] == "root")
        let cron = String(fields[6])
        let pre = try #require(lines.first { $0.hasPrefix("ExecStartPre=") }).dropFirst("ExecStartPre=".count)
        let start = try #require(lines.first { $0.hasPrefix("ExecStart=") }).dropFirst("ExecStart=".count)
        let readBack = try #require(lines.first { $0.hasPrefix("python3 -c") && $0.contains("csv.DictReader") })
        // A private mount namespace: an empty /var/log (so the line must create
        // its directory) and /usr/local/bin/thief = the built binary. Each run
        // traces a fresh `myservice` that exits after 2 s, ending the -d 60s run.
        let out = tempPath("cron-out")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let script = """
            mount -t tmpfs tmpfs /var/log && mount -t tmpfs tmpfs /usr/local/bin && ln -s "$THIEF" /usr/local/bin/thief || exit 99
            test ! -e /var/log/thief || exit 98
            service() { "$WORKLOADS" periodic --name myservice --seconds 2 & sleep 0.3; }
            service; rc=0; /bin/sh -c "$CRON" || rc=$?; echo "cron $rc" >> "$OUT.log"; wait
            service; rc=0; /bin/sh -c "$CRON" || rc=$?; echo "cron $rc" >> "$OUT.log"; wait
            service; rc=0; { /bin/sh -c "$PRE" && /bin/sh -c "$START"; } || rc=$?; echo "systemd $rc" >> "$OUT.log"; wait
            cp /var/log/thief/myservice.csv "$OUT" && /bin/sh -c "$READ" > "$OUT.read"
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        p.arguments = ["--mount", "--propagation", "private", "/bin/sh", "-c", script]
        p.environment = ProcessInfo.processInfo.environment.merging([
            "THIEF": Live.binary, "WORKLOADS": Live.workloads, "CRON": cron, "PRE": String(pre), "START": String(start),
            "READ": readBack, "OUT": out,
        ]) { $1 }
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        defer {
            try? FileManager.default.removeItem(atPath: out + ".log")
            try? FileManager.default.removeItem(atPath: out + ".read")
        }
        #expect(p.terminationStatus == 0)
        #expect((try? String(contentsOfFile: out + ".log", encoding: .utf8)) == "cron 0\ncron 0\nsystemd 0\n")
        let rows = try parseCSV(out)
        #expect(rows.count == 4, "a header and three rows: \(rows)")
        let comm = try #require(rows.first?.firstIndex(of: "comm"))
        #expect(rows.dropFirst().allSatisfy { $0[comm] == "myservice" })
        let read = (try? String(contentsOfFile: out + ".read", encoding: .utf8)) ?? ""
        #expect(read.split(separator: "\n").count == 3, "the read-back line of docs/capture.md: \(read)")
    }
}

/// RFC 4180, parsed by Python's csv module (an independent reader).
func parseCSV(_ path: String) throws -> [[String]] {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = [
        "python3", "-c", "import csv,json,sys; print(json.dumps(list(csv.reader(open(sys.argv[1], newline='')))))",
        path,
    ]
    let pipe = Pipe()
    p.standardOutput = pipe
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (try JSONSerialization.jsonObject(with: data) as? [[String]]) ?? []
}

@discardableResult
func shell(_ command: String) -> Int32 {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/sh")
    p.arguments = ["-c", command]
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    guard (try? p.run()) != nil else { return -1 }
    p.waitUntilExit()
    return p.terminationStatus
}

extension LiveTests {
    /// promtool (Debian's prometheus package) validates the exposition format;
    /// .ci/run installs it and sets THIEF_REQUIRE_PROMTOOL=1.
    static var promtool: String? {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/promtool") ? "/usr/bin/promtool" : nil
    }

    @Test("openmetrics replaces the file atomically and passes promtool check metrics")
    func openMetricsFile() throws {
        try Live.require()
        let victim = try Child.workload(["periodic", "--name", "victim", "--seconds", "30"])
        defer { victim.end() }
        let file = tempPath("thief.prom")
        defer { try? FileManager.default.removeItem(atPath: file) }
        for _ in 0..<2 {
            let run = try ThiefRun([
                "-p", "\(victim.pid)", "-d", "300ms", "-q", "--format", "openmetrics", "--output", file,
            ])
            #expect(run.wait() == 0)
        }
        #expect(!FileManager.default.fileExists(atPath: file + ".tmp"))
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(text.components(separatedBy: "# TYPE thief_on_core_seconds gauge").count == 2, "replaced, not appended")
        guard let promtool = Self.promtool else {
            if ProcessInfo.processInfo.environment["THIEF_REQUIRE_PROMTOOL"] == "1" {
                Issue.record("THIEF_REQUIRE_PROMTOOL=1 but /usr/bin/promtool is missing")
            }
            return
        }
        #expect(shell("\(promtool) check metrics < \(file)") == 0)
    }
}
