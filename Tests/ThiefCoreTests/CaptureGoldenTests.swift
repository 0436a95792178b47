import Foundation
import Testing
import ThiefCore
import ThiefGate
import ThiefReport

/// Replays Fixtures/competitor.thief (a 400 ms live run of a victim and a
/// competitor pinned to one CPU, recorded with `thief record`) and compares
/// every output format with its golden file. Regenerate as GoldenTests says.
@Suite("Golden files: capture formats from a recording")
struct CaptureGoldenTests {
    static func contents() throws -> TraceFile.Contents {
        let dir = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        let data = try Data(contentsOf: dir.appendingPathComponent("competitor.thief"))
        return try TraceFile.parse(Array(data), name: "competitor.thief")
    }

    @Test("text and JSON of the whole run")
    func whole() throws {
        let r = try #require(Replay.reports(try Self.contents(), interval: nil).first)
        try GoldenTests.compare(TextRenderer.render(r), with: "competitor.golden.txt")
        try GoldenTests.compare(try JSONRenderer.render(r), with: "competitor.golden.json")
        try GoldenTests.compare(HTMLRenderer.render(r), with: "competitor.golden.html")
    }

    @Test("CSV with per-thread rows and NDJSON, every 100 ms")
    func intervals() throws {
        let reports = Replay.reports(try Self.contents(), interval: 100_000_000)
        #expect(reports.count == 5)
        var csv = CSVRenderer.header
        var nd = ""
        for r in reports {
            csv += CSVRenderer.rows(r, perThread: true)
            nd += try JSONRenderer.renderLine(r)
        }
        try GoldenTests.compare(csv, with: "competitor.golden.csv")
        try GoldenTests.compare(nd, with: "competitor.golden.ndjson")
    }

    @Test("replaying twice gives the same bytes; intervals add up to the whole run")
    func deterministic() throws {
        let c = try Self.contents()
        let a = try Replay.reports(c, interval: nil).map { try JSONRenderer.render($0) }
        let b = try Replay.reports(c, interval: nil).map { try JSONRenderer.render($0) }
        #expect(a == b)
        let whole = try #require(Replay.reports(c, interval: nil).first)
        for iv: UInt64 in [7_000_000, 50_000_000, 100_000_000, 399_000_000] {
            let parts = Replay.reports(c, interval: iv)
            #expect(parts.reduce(0) { $0 + $1.onCore.totalNs } == whole.onCore.totalNs)
            #expect(parts.reduce(0) { $0 + $1.offCore.totalNs } == whole.offCore.totalNs)
            #expect(parts.reduce(0) { $0 + $1.runnableWait.totalNs } == whole.runnableWait.totalNs)
            #expect(parts.reduce(0) { $0 + $1.onCore.count } == whole.onCore.count)
            #expect(
                parts.reduce(0) { $0 + $1.thieves.reduce(0) { $0 + $1.stolenNs } }
                    == whole.thieves.reduce(0) { $0 + $1.stolenNs })
        }
    }
}

@Suite("Gate: recordings")
struct GateRecordingTests {
    @Test("thief gate reads a .thief recording as its whole-run report")
    func recordingIsAReport() throws {
        let dir = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        let reports = try ReportFile.load(path: dir.appendingPathComponent("competitor.thief").path)
        #expect(reports.count == 1)
        let direct = try #require(Replay.reports(try CaptureGoldenTests.contents(), interval: nil).first)
        #expect(reports.first == direct)
        let gate = Gate(rules: [try RuleParser.rule("runnable_wait.pct > 5%")])
        #expect(try gate.judge(reports).failed)
    }
}
