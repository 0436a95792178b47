import Foundation
import Testing

/// The status line: on a terminal it updates about once a second and is
/// erased before the report; anywhere else nothing extra appears.
extension LiveTests {
    @Test("status line: under a pseudo-terminal it updates, then the report prints clean; not on a pipe")
    func statusLine() throws {
        try Live.require()
        let contest = try Contest()
        let victim = contest.victim
        let scratch = try ScratchDir("status")
        let typescript = scratch.path("typescript")
        // script(1) runs thief on a pseudo-terminal: stdout and stderr are both the terminal.
        let cmd = "'\(Live.binary)' -p \(victim.pid) -d 3s --advice none"
        let script = try Child(["-qfec", cmd, typescript], executable: "/usr/bin/script")
        script.process.waitUntilExit()
        #expect(script.process.terminationStatus == 0)
        let out = (try? String(contentsOfFile: typescript, encoding: .utf8)) ?? ""
        let erase = "\r\u{1b}[2K"
        let updates = out.components(separatedBy: erase + "thief: ").count - 1
        #expect(updates >= 2, "the line updates: \(updates) in \(out.prefix(400))")
        #expect(out.contains(" | top thief "))
        // The last erase comes before the report, which has no escape sequence in it.
        let report = try #require(out.components(separatedBy: erase).last)
        #expect(
            report.hasPrefix("thief 0.1.0: PID \(victim.pid)") || report.contains("thief 0.1.0: PID"),
            "\(report.prefix(200))")
        #expect(!report.contains("\u{1b}"))

        let piped = try ThiefRun(["-p", "\(victim.pid)", "-d", "2s", "--advice", "none"])
        #expect(piped.wait() == 0)
        #expect(!piped.stderr.contains("\u{1b}") && !piped.stderr.contains("records, "))
    }
}
