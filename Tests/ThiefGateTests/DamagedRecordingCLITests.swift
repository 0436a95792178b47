import Foundation
import Testing

/// `thief report` and `thief gate` on a damaged recording (docs/recordings.md):
/// one line on stderr, exit 2, never a trap (it died with SIGILL).
@Suite("Damaged recording, from the command line")
struct DamagedRecordingCLITests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../ThiefCoreTests/Fixtures/report-overflow.thief").standardized.path

    @Test("report-overflow.thief: every format of thief report, and thief gate, exit 2 with one line")
    func refused() throws {
        for args in [
            ["report", Self.fixture, "--format", "json"], ["report", Self.fixture],
            ["report", Self.fixture, "--format", "csv"],
            ["gate", Self.fixture, "--advice", "--fail-if", "on_core.total > 1s"],
        ] {
            let out = try GateCLITests.run(args)
            #expect(out.code == 2, "\(args): exit \(out.code)")
            let lines = out.stderr.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].contains("corrupt: record 1308 (interrupt)"), "\(args): \(out.stderr)")
            #expect(out.stdout.isEmpty)
        }
    }
}
