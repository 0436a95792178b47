import Foundation
import Testing
import ThiefCore

/// Exit codes and the report's header on live runs (issue 22, item 7).
@Suite(
    "Exit codes and headers of live runs", .serialized,
    .enabled(if: Live.enabled, "needs root (mount, eBPF) and the built thief binary"))
struct ExitCodeTests {
    @Test("a read-only file system: --trace, --record, --junit, record -o and -o json are exit 2 before tracing")
    func readOnly() throws {
        try Live.require()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("thief-ro-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        guard mount("none", dir, "tmpfs", UInt(MS_RDONLY), nil) == 0 else {
            throw Live.Unavailable(description: "mount -t tmpfs -o ro")
        }
        defer { umount(dir) }
        let f = dir + "/out"
        let cases: [[String]] = [
            ["--trace", f, "-d", "5s", "--", "sleep", "10"],
            ["--record", f, "-d", "5s", "--", "sleep", "10"],
            ["record", "-o", f, "-d", "5s", "--", "sleep", "10"],
            ["--format", "json", "-o", f, "-d", "5s", "--", "sleep", "10"],
            ["--fail-if", "runnable_wait.p99 > 1s", "--junit", f, "-d", "5s", "--", "sleep", "10"],
        ]
        for args in cases {
            let start = Date()
            let thief = try ThiefRun(args)
            #expect(thief.wait() == 2, "\(args): \(thief.stderr)")
            #expect(
                Plants.oneErrorLine(thief.stderr) && thief.stderr.contains("Read-only file system"), "\(thief.stderr)")
            #expect(Date().timeIntervalSince(start) < 4, "\(args): refused only after tracing")
        }
    }

    @Test("-p A,A traces A once: the tracing line and the recording's seeds count its threads once")
    func duplicatePID() throws {
        try Live.require()
        let w = try Child.workload(["many-threads", "--threads", "3", "--seconds", "5"])
        defer { w.end() }
        sleepSeconds(0.5)
        let n = w.threads.count
        let twice = try ThiefRun(["-p", "\(w.pid),\(w.pid)", "-d", "300ms", "--format", "json"])
        #expect(twice.wait() == 0)
        // Before: "tracing PIDs A,A, 8 threads" for A's 4.
        let line = twice.stderr.split(separator: "\n").first { $0.hasPrefix("thief: tracing") } ?? ""
        #expect(n >= 4 && line.contains("PID \(w.pid) (") && line.contains(", \(n) threads"), "\(n) threads: \(line)")
        #expect(try twice.report().list("target.threads").count == n)
    }

    @Test("--comm matching several processes: the header names every PID")
    func commHeader() throws {
        try Live.require()
        let name = "thiefhdr\(Int.random(in: 100...999))"
        let a = try Child.workload(["periodic", "--name", name, "--seconds", "5"])
        let b = try Child.workload(["periodic", "--name", name, "--seconds", "5"])
        defer {
            a.end()
            b.end()
        }
        sleepSeconds(0.3)
        let thief = try ThiefRun(["--comm", name, "-d", "300ms", "-q"])
        #expect(thief.wait() == 0, "\(thief.stderr)")
        let first = thief.stdout.prefix { $0 != "\n" }
        #expect(first.contains("PIDs ") && first.contains("\(a.pid)") && first.contains("\(b.pid)"), "\(first)")
    }
}
