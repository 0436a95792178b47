import Foundation
import Testing
import ThiefCore
import ThiefGate

/// The fixture report (Fixtures/report.json): one victim thread over a 1 s
/// window, so shares of thread time are easy to read (100ms = 10%).
enum Fixture {
    static let ms = 1e6, us = 1e3

    static func url(_ name: String = "report.json") throws -> URL {
        let dir = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        return dir.appendingPathComponent(name)
    }

    static func report() throws -> Report {
        let reports = try ReportFile.reports(in: Data(contentsOf: url()))
        return try #require(reports.first)
    }

    /// The fixture's JSON with `keys` removed from every statistics block
    /// (on_core, off_core and its states, runnable_wait).
    static func stripped(_ keys: [String]) throws -> Data {
        var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url())) as? [String: Any])
        func strip(_ block: [String: Any]) -> [String: Any] {
            var b = block
            for k in keys { b[k] = nil }
            if let states = b["by_state"] as? [String: Any] {
                b["by_state"] = states.mapValues { ($0 as? [String: Any]).map(strip) ?? $0 }
            }
            return b
        }
        for name in ["on_core", "off_core", "runnable_wait"] {
            object[name] = strip(try #require(object[name] as? [String: Any]))
        }
        return try JSONSerialization.data(withJSONObject: object)
    }

    /// The fixture with its runnable-wait p99 set (for medians and baselines).
    static func report(p99 us: UInt64) throws -> Report {
        var r = try report()
        r.runnableWait.p99Ns = us * 1000
        return r
    }
}

/// SplitMix64: a small seeded generator, so generated cases repeat exactly.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The parser's error for a rule (or a --max-regression list), nil when it parses.
func ruleError(_ text: String) -> RuleError? {
    do {
        _ = try RuleParser.rule(text)
        return nil
    } catch { return error }
}

func regressionError(_ text: String) -> RuleError? {
    do {
        _ = try RuleParser.regressions(text)
        return nil
    } catch { return error }
}
