import Testing
import ThiefGate

@Suite("thief watch: trigger rules")
struct WatchRuleTests {
    @Test("wait rules and window rules parse, and print back")
    func parses() throws {
        #expect(try WatchRule.parse("wait > 20ms") == .wait(thresholdNs: 20_000_000, inclusive: false))
        #expect(try WatchRule.parse(" wait>=1.5ms") == .wait(thresholdNs: 1_500_000, inclusive: true))
        let w = try WatchRule.parse("runnable_wait.tasks > 30% over 1s")
        guard case .window(let rule, let ns) = w else {
            Issue.record("not a window rule: \(w)")
            return
        }
        #expect(ns == 1_000_000_000 && rule.description == "runnable_wait.tasks > 30%")
        #expect(w.description == "runnable_wait.tasks > 30% over 1s")
        #expect(try WatchRule.parse("thief[comm=backup].stolen > 100ms over 5s").description.hasSuffix("over 5s"))
        #expect(WatchRule.wait(thresholdNs: 20, inclusive: false).fires(waitNs: 21))
        #expect(!WatchRule.wait(thresholdNs: 20, inclusive: false).fires(waitNs: 20))
        #expect(WatchRule.wait(thresholdNs: 20, inclusive: true).fires(waitNs: 20))
    }

    @Test("bad rules say what is wrong, in the gate's words")
    func errors() {
        func message(_ text: String) -> String {
            do {
                _ = try WatchRule.parse(text)
                return ""
            } catch { return error.description }
        }
        #expect(message("wait > 20").contains("a wait trigger needs a time"))
        #expect(message("wait < 20ms").contains("a wait trigger is 'wait > DURATION'"))
        #expect(message("runnable_wait.tasks > 30%").contains("a window rule needs 'over DURATION'"))
        #expect(
            message("runnable_wait.tasks > 30 over 1s").contains("invalid rule 'runnable_wait.tasks > 30' at column"))
        #expect(
            message("bogus > 1 over 1s").contains("expected a metric")
                || message("bogus > 1 over 1s").contains("unknown"))
        #expect(message("runnable_wait.tasks > 30% over 5ms").contains("invalid window '5ms'"))
        // The fuzzer's input: past UInt64.max it trapped in the conversion.
        #expect(message("wait > 35555555555555555555557ms").contains("at most 1 hour"))
        #expect(message("wait > 3601s").contains("at most 1 hour"))
        #expect((try? WatchRule.parse("wait >= 3600s")) == .wait(thresholdNs: 3_600_000_000_000, inclusive: true))
    }
}
