import Foundation
import Testing

/// `--trace FILE` on a live run, decoded with Perfetto's own protos and
/// checked against the JSON report of the same run (scripts/check-perfetto.py).
extension LiveTests {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test("--trace: the Perfetto trace's target slices sum to the report's on-core time; names and interrupts match")
    func perfettoTrace() throws {
        try Live.require()
        let contest = try Contest()
        let victim = contest.victim
        let scratch = try ScratchDir("pftrace")
        let trace = scratch.path("run.pftrace"), json = scratch.path("run.json")
        let thief = try ThiefRun(["-p", "\(victim.pid)", "-d", "2s", "--format", "json", "-o", json, "--trace", trace])
        #expect(thief.wait() == 0, "\(thief.stderr)")
        let size = (try? FileManager.default.attributesOfItem(atPath: trace)[.size] as? Int) ?? 0
        print("PERFETTO 2 s run: \(size) bytes")
        #expect(size > 1000)
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        check.arguments = [
            "python3", Self.repoRoot.appendingPathComponent("scripts/check-perfetto.py").path, trace, json,
        ]
        let out = Pipe()
        check.standardOutput = out
        check.standardError = out
        try check.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        check.waitUntilExit()
        print(text)
        #expect(check.terminationStatus == 0, "\(text)")
        #expect(text.contains("ok   on-core total ns"))
    }
}
