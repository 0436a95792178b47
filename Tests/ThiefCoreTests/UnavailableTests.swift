import Foundation
import Testing
import ThiefCore
import ThiefGate
import ThiefReport

/// A number the kernel cannot give (6.1 has no cfs_rq throttled clock; a
/// kernel without CONFIG_PARAVIRT_TIME_ACCOUNTING no steal clock) is null in
/// JSON, n/a in text and CSV, listed once in tracer.unavailable, and a gate
/// rule on it is unavailable: never a measured 0.
@Suite("Unavailable numbers")
struct UnavailableTests {
    static func report() throws -> Report {
        var r = GoldenScenario.report()
        r.markUnavailable([.throttled, .steal])
        return r
    }

    static func json(_ r: Report) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(try JSONRenderer.render(r).utf8)) as? [String: Any])
    }

    @Test("JSON: null wherever the causes appear, listed once with what brings it; other causes still sum to the wait")
    func json() throws {
        let r = try Self.report()
        let j = try Self.json(r)
        let wait = try #require(j["runnable_wait"] as? [String: Any])
        let causes = try #require(wait["by_cause"] as? [String: Any])
        #expect(causes["throttled_ns"] is NSNull)
        #expect(causes["steal_ns"] is NSNull)
        let sum = causes.values.compactMap { ($0 as? NSNumber)?.uint64Value }.reduce(0, +)
        #expect(sum == r.runnableWait.totalNs)
        for t in try #require((j["target"] as? [String: Any])?["threads"] as? [[String: Any]]) {
            let c = try #require(t["runnable_wait_by_cause"] as? [String: Any])
            #expect(c["throttled_ns"] is NSNull)
        }
        for w in try #require(j["worst_waits"] as? [[String: Any]]) {
            #expect((w["causes"] as? [String: Any])?["throttled_ns"] is NSNull)
        }
        let listed = try #require((j["tracer"] as? [String: Any])?["unavailable"] as? [[String: String]])
        #expect(
            listed.map { $0["what"] } == ["runnable_wait.by_cause.throttled_ns", "runnable_wait.by_cause.steal_ns"])
        #expect(listed.first?["since"] == "Linux 6.6 with CONFIG_CFS_BANDWIDTH")
        #expect(listed.first?["needs"] == "cfs_rq::throttled_clock_self_time")
        // It reads back as it was written.
        #expect(try JSONRenderer.decode(Data(try JSONRenderer.render(r).utf8)) == r)
    }

    @Test("a kernel that measures everything lists nothing, and its JSON keeps numbers")
    func nothingMissing() throws {
        var r = GoldenScenario.report()
        r.markUnavailable([])
        let j = try Self.json(r)
        #expect(((j["tracer"] as? [String: Any])?["unavailable"] as? [Any])?.isEmpty == true)
        #expect(((j["runnable_wait"] as? [String: Any])?["by_cause"] as? [String: Any])?["throttled_ns"] is NSNumber)
    }

    @Test("text says n/a in the causes and names what is missing once; CSV says n/a in its columns")
    func textAndCSV() throws {
        let r = try Self.report()
        let text = TextRenderer.render(r)
        #expect(text.contains("throttled n/a"))
        #expect(text.contains("hypervisor steal n/a"))
        let lines = text.split(separator: "\n").filter { $0.hasPrefix("n/a on this kernel:") }
        #expect(lines.count == 1)
        #expect(lines.first?.contains("Linux 6.6") == true)
        let rows = CSVRenderer.rows(r, perThread: true).split(separator: "\n")
        let cols = CSVRenderer.columns
        for row in rows {
            let f = row.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            #expect(f[cols.firstIndex(of: "throttled_ns")!] == "n/a")
            #expect(f[cols.firstIndex(of: "steal_ns")!] == "n/a")
        }
        #expect(!OpenMetricsRenderer.render(r).contains("cause=\"throttled\""))
    }

    @Test("a gate rule on an unavailable cause is unavailable, not a pass on 0; the others still judge")
    func gate() throws {
        let r = try Self.report()
        for text in ["runnable_wait.throttled < 1ms", "runnable_wait.steal > 0ns"] {
            #expect(throws: MetricUnavailable.self, "\(text)") { try RuleParser.rule(text).observed(in: r) }
        }
        #expect(try RuleParser.rule("runnable_wait.tasks > 0ns").observed(in: r) > 0)
        let measured = GoldenScenario.report()
        #expect(try RuleParser.rule("runnable_wait.throttled < 1ms").observed(in: measured) == 0)
    }
}
