import Foundation
import Testing
import ThiefCore
import ThiefReport

/// Byte-for-byte comparison of the rendered golden scenario with
/// Fixtures/report.golden.{txt,json}.
///
/// To regenerate after an intended change of the output:
///     THIEF_UPDATE_GOLDEN=1 swift test --filter GoldenTests
/// (writes into the source tree, next to this file), then review the diff.
@Suite("Golden files")
struct GoldenTests {
    static let sourceFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures", isDirectory: true)

    static var updating: Bool { ProcessInfo.processInfo.environment["THIEF_UPDATE_GOLDEN"] == "1" }

    static func compare(_ actual: String, with name: String) throws {
        let actualData = Data(actual.utf8)
        if updating {
            try actualData.write(to: sourceFixtures.appendingPathComponent(name), options: .atomic)
            return
        }
        let dir = try #require(
            Bundle.module.url(forResource: "Fixtures", withExtension: nil),
            "the Fixtures resource directory is missing from the test bundle")
        guard let expected = try? Data(contentsOf: dir.appendingPathComponent(name)) else {
            Issue.record("missing golden file \(name): run THIEF_UPDATE_GOLDEN=1 swift test --filter GoldenTests")
            return
        }
        if expected != actualData {
            Issue.record(
                Comment(
                    rawValue: "\(name) differs from the rendered report:\n"
                        + firstDifference(expected: String(decoding: expected, as: UTF8.self), actual: actual)
                        + "\n(if intended: THIEF_UPDATE_GOLDEN=1 swift test --filter GoldenTests, then review the diff)"
                ))
        }
    }

    static func firstDifference(expected: String, actual: String) -> String {
        let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
        for i in 0..<max(e.count, a.count) {
            let el = i < e.count ? String(e[i]) : "<end of file>"
            let al = i < a.count ? String(a[i]) : "<end of output>"
            if el != al { return "line \(i + 1):\n  expected: \(el)\n  actual:   \(al)" }
        }
        return "(same lines; bytes differ, e.g. line endings)"
    }

    @Test("text report matches report.golden.txt")
    func text() throws {
        try Self.compare(TextRenderer.render(GoldenScenario.report()), with: "report.golden.txt")
    }

    @Test("JSON report matches report.golden.json")
    func json() throws {
        try Self.compare(try JSONRenderer.render(GoldenScenario.report()), with: "report.golden.json")
    }

    @Test("rendering is deterministic")
    func deterministic() throws {
        let a = GoldenScenario.report(), b = GoldenScenario.report()
        #expect(TextRenderer.render(a) == TextRenderer.render(b))
        #expect(try JSONRenderer.render(a) == JSONRenderer.render(b))
    }
}
