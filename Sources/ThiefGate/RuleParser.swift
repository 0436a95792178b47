/// Hand-written parser for gate rules (`METRIC OP VALUE`) and
/// `--max-regression` lists (`METRIC=N%[,METRIC=N%…]`). Grammar: docs/gate.md.
public enum RuleParser {
    public static func rule(_ text: String) throws(RuleError) -> Rule {
        var s = RuleScanner(text)
        s.skipSpaces()
        let metric = try s.metric()
        if let c = s.peek, !c.isWhitespace, c != ">", c != "<", c != "=", c != "!" {
            throw s.error(
                s.i, "unexpected '\(c)' after the metric", "a rule is METRIC OP VALUE, e.g. runnable_wait.p99 > 200us")
        }
        s.skipSpaces()
        let op = try s.comparison()
        s.skipSpaces()
        let (value, unitAt) = try s.quantity()
        s.skipSpaces()
        if s.i < s.chars.count {
            throw s.error(s.i, "unexpected '\(String(s.chars[s.i...]))' after the value", "one rule per --fail-if")
        }
        let rule = Rule(metric: metric, op: op, value: value)
        try check(rule, unitAt: unitAt, s)
        return rule
    }

    public static func regressions(_ text: String) throws(RuleError) -> [Regression] {
        var s = RuleScanner(text)
        var list: [Regression] = []
        repeat {
            s.skipSpaces()
            let metric = try s.metric()
            s.skipSpaces()
            guard s.peek == "=" else {
                throw s.error(s.i, "expected '=' and the allowed increase after '\(metric)'", "e.g. \(metric)=20%")
            }
            s.i += 1
            s.skipSpaces()
            let decrease = s.peek == "-"
            if decrease {
                s.i += 1
                s.skipSpaces()
            }
            let (value, unitAt) = try s.quantity()
            guard value.unit == .percent else {
                throw s.error(
                    unitAt, "the allowed increase is a percentage",
                    "e.g. \(metric)=20% (or \(metric)=-20% to fail on a decrease)")
            }
            list.append(Regression(metric: metric, allowedPercent: value.number, decrease: decrease))
            s.skipSpaces()
            if s.peek == "," {
                s.i += 1
                continue
            }
            if s.i < s.chars.count {
                throw s.error(
                    s.i, "unexpected '\(String(s.chars[s.i...]))'",
                    "separate entries with ',': runnable_wait.p99=20%,off_core.total=10%")
            }
            break
        } while true
        return list
    }

    /// Units must fit what the field measures; a percentage compares a share of thread time.
    static func check(_ rule: Rule, unitAt: Int, _ s: RuleScanner) throws(RuleError) {
        let path = Metric(rule.metric.subject, rule.field)
        let unit = rule.value.unit
        switch (rule.field.kind, unit.kind) {
        case (.share, .share), (.duration, .duration), (.count, .count):
            return
        case (.duration, .share) where rule.field.isTimeSum:
            return
        case (_, .count) where rule.value.number == 0:
            return
        case (.duration, .share):
            throw s.error(
                unitAt, "'\(path)' is a duration; a percentage compares a share of thread time",
                "use a time such as 200us, or \(Metric(rule.metric.subject, .pct)) \(rule.op.rawValue) \(rule.value)")
        case (.duration, _):
            throw s.error(
                unitAt, "'\(path)' is a duration and needs a time unit",
                "e.g. \(path) \(rule.op.rawValue) \(Quantity(rule.value.number, .us)) (units: ns, us, ms, s)")
        case (.share, _):
            throw s.error(
                unitAt, "'\(path)' is a share of thread time and needs %",
                "e.g. \(path) \(rule.op.rawValue) 5%")
        case (.count, _):
            throw s.error(unitAt, "'\(path)' is a count and takes a plain number", "e.g. \(path) \(rule.op.rawValue) 5")
        }
    }
}
