import FoundationEssentials
import Glibc
import ThiefCore

/// A `thief watch --trigger`: `wait > 20ms` (any target thread's runnable
/// wait longer than that, decided when the wait ends), or a gate rule over a
/// sliding window, `RULE over DURATION` (`runnable_wait.tasks > 30% over 1s`),
/// judged on the report of the window's last DURATION. Grammar: docs/watch.md.
public enum WatchRule: Hashable, Sendable, CustomStringConvertible {
    /// A wait longer than `thresholdNs` (`>`), or at least it (`>=`).
    case wait(thresholdNs: UInt64, inclusive: Bool)
    /// A gate rule on the report of the last `windowNs`.
    case window(Rule, windowNs: UInt64)

    /// The longest sliding window a watch takes (it replays that much of its ring).
    public static let maxWindowNs: UInt64 = 60_000_000_000

    public var description: String {
        switch self {
        case .wait(let t, let inclusive): "wait \(inclusive ? ">=" : ">") \(Self.duration(t))"
        case .window(let rule, let w): "\(rule) over \(Self.duration(w))"
        }
    }

    public static func parse(_ text: String) throws(RuleError) -> WatchRule {
        let trimmed = text.trimming(.whitespaces)
        if trimmed.hasPrefix("wait"), trimmed.dropFirst(4).first.map({ $0 == " " || $0 == ">" }) ?? true {
            return try waitRule(text)
        }
        guard let over = trimmed.lastRange(of: " over ") else {
            throw RuleError(
                text: text, column: text.count + 1, message: "a window rule needs 'over DURATION'",
                hint: "e.g. 'runnable_wait.tasks > 30% over 1s', or 'wait > 20ms' for one long wait")
        }
        let rule = try RuleParser.rule(String(trimmed[..<over.lowerBound]))
        let window = String(trimmed[over.upperBound...])
        guard let ns = try? DurationParser.nanoseconds(window), ns >= 10_000_000, ns <= maxWindowNs else {
            throw RuleError(
                text: text, column: text.count - window.count + 1,
                message: "invalid window '\(window)': a duration from 10ms to 60s", hint: "e.g. over 1s")
        }
        return .window(rule, windowNs: ns)
    }

    /// The longest wait a wait trigger takes: 1 hour.
    static let maxWaitNs: UInt64 = 3_600_000_000_000

    /// `wait > DURATION` or `wait >= DURATION`.
    private static func waitRule(_ text: String) throws(RuleError) -> WatchRule {
        var s = RuleScanner(text)
        s.skipSpaces()
        _ = s.word()
        s.skipSpaces()
        let opAt = s.i
        var inclusive = false
        guard s.peek == ">" else {
            throw s.error(opAt, "a wait trigger is 'wait > DURATION'", "e.g. wait > 20ms")
        }
        s.i += 1
        if s.peek == "=" {
            inclusive = true
            s.i += 1
        }
        s.skipSpaces()
        let (value, unitAt) = try s.quantity()
        s.skipSpaces()
        if s.i < s.chars.count {
            throw s.error(s.i, "unexpected '\(String(s.chars[s.i...]))' after the value", "one rule per --trigger")
        }
        guard value.unit.kind == .duration, value.canonical >= 1 else {
            throw s.error(unitAt, "a wait trigger needs a time", "e.g. wait > 20ms (units: ns, us, ms, s)")
        }
        // Bounded before the conversion, which traps past UInt64.max (found by
        // the rule fuzz target: 'wait > 35555555555555555555557ms').
        guard value.canonical <= Double(maxWaitNs) else {
            throw s.error(unitAt, "a wait trigger's time is at most 1 hour", "e.g. wait > 20ms")
        }
        return .wait(thresholdNs: UInt64(value.canonical.rounded()), inclusive: inclusive)
    }

    /// A wait of `ns` fires this rule.
    @inline(__always)
    public func fires(waitNs ns: UInt64) -> Bool {
        guard case .wait(let t, let inclusive) = self else { return false }
        return inclusive ? ns >= t : ns > t
    }

    static func duration(_ ns: UInt64) -> String {
        if ns % 1_000_000_000 == 0 { return "\(ns / 1_000_000_000)s" }
        if ns % 1_000_000 == 0 { return "\(ns / 1_000_000)ms" }
        if ns % 1_000 == 0 { return "\(ns / 1_000)us" }
        return "\(ns)ns"
    }
}
