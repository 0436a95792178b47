import Testing
import ThiefCore
import ThiefGate

@Suite("Gate rule parser")
struct GateRuleParserTests {
    static func rule(_ s: Subject, _ f: Field?, _ op: Comparison, _ n: Double, _ u: Quantity.Unit) -> Rule {
        Rule(metric: Metric(s, f), op: op, value: Quantity(n, u))
    }

    /// Every operator, unit, subject and field, with the spacing a user may write.
    static let valid: [(String, Rule)] = [
        ("runnable_wait.p99 > 200us", rule(.runnableWait, .p99, .greater, 200, .us)),
        ("runnable_wait.p99 >= 200us", rule(.runnableWait, .p99, .greaterOrEqual, 200, .us)),
        ("runnable_wait.p99 < 200us", rule(.runnableWait, .p99, .less, 200, .us)),
        ("runnable_wait.p99 <= 200us", rule(.runnableWait, .p99, .lessOrEqual, 200, .us)),
        ("runnable_wait.p99>200us", rule(.runnableWait, .p99, .greater, 200, .us)),
        ("  runnable_wait.p99\t>=  200 us  ", rule(.runnableWait, .p99, .greaterOrEqual, 200, .us)),
        ("runnable_wait.p99 > 200µs", rule(.runnableWait, .p99, .greater, 200, .us)),
        ("on_core.max > 15ns", rule(.onCore, .max, .greater, 15, .ns)),
        ("on_core.min < 1.5ms", rule(.onCore, .min, .less, 1.5, .ms)),
        ("on_core.avg > 2s", rule(.onCore, .avg, .greater, 2, .s)),
        ("on_core.total > 0.25s", rule(.onCore, .total, .greater, 0.25, .s)),
        ("on_core > 1e3us", rule(.onCore, nil, .greater, 1000, .us)),
        ("on_core.count > 2.5E+1", rule(.onCore, .count, .greater, 25, .none)),
        ("on_core.p50 > 1ms", rule(.onCore, .p50, .greater, 1, .ms)),
        ("on_core.p90 > 1ms", rule(.onCore, .p90, .greater, 1, .ms)),
        ("on_core.pct < 50%", rule(.onCore, .pct, .less, 50, .percent)),
        ("off_core > 2%", rule(.offCore, nil, .greater, 2, .percent)),
        ("off_core.total > 10ms", rule(.offCore, .total, .greater, 10, .ms)),
        ("off_core.preempted.total > 2%", rule(.offCoreState(.preempted), .total, .greater, 2, .percent)),
        ("off_core.preempted > 2%", rule(.offCoreState(.preempted), nil, .greater, 2, .percent)),
        ("off_core.sleeping.p99 > 5ms", rule(.offCoreState(.sleeping), .p99, .greater, 5, .ms)),
        ("off_core.blocked.count >= 1", rule(.offCoreState(.blocked), .count, .greaterOrEqual, 1, .none)),
        ("off_core.other.pct > 0.5%", rule(.offCoreState(.other), .pct, .greater, 0.5, .percent)),
        ("runnable_wait.pct > 5%", rule(.runnableWait, .pct, .greater, 5, .percent)),
        ("migrations > 5", rule(.migrations, nil, .greater, 5, .none)),
        ("migrations.count > 5", rule(.migrations, .count, .greater, 5, .none)),
        ("migrations.at_wakeup > 1", rule(.migrations, .atWakeup, .greater, 1, .none)),
        ("migrations.while_queued > 1", rule(.migrations, .whileQueued, .greater, 1, .none)),
        ("migrations.while_running > 1", rule(.migrations, .whileRunning, .greater, 1, .none)),
        ("irqs.total > 1ms", rule(.irqs, .total, .greater, 1, .ms)),
        ("irqs.count > 100", rule(.irqs, .count, .greater, 100, .none)),
        ("irqs.max > 50us", rule(.irqs, .max, .greater, 50, .us)),
        ("irqs.pct > 1%", rule(.irqs, .pct, .greater, 1, .percent)),
        ("softirqs > 1%", rule(.softirqs, nil, .greater, 1, .percent)),
        ("system_vectors.count > 1000", rule(.systemVectors, .count, .greater, 1000, .none)),
        ("lost_events > 0", rule(.lostEvents, nil, .greater, 0, .none)),
        ("missed_switch_events >= 10", rule(.missedSwitchEvents, nil, .greaterOrEqual, 10, .none)),
        ("thief[comm=kworker*].stolen > 5ms", rule(.thief(.comm("kworker*")), .stolen, .greater, 5, .ms)),
        (
            "thief[comm=kworker/0:1H-events_highpri].count > 3",
            rule(.thief(.comm("kworker/0:1H-events_highpri")), .count, .greater, 3, .none)
        ),
        ("thief[comm=Web Content].max > 1ms", rule(.thief(.comm("Web Content")), .max, .greater, 1, .ms)),
        ("thief[tgid=123].count > 0", rule(.thief(.tgid(123)), .count, .greater, 0, .none)),
        ("thief[pid=456] > 1%", rule(.thief(.pid(456)), nil, .greater, 1, .percent)),
        ("thief[pid=456].pct > 1%", rule(.thief(.pid(456)), .pct, .greater, 1, .percent)),
        ("thief[comm=x] > 2ms", rule(.thief(.comm("x")), nil, .greater, 2, .ms)),
        ("runnable_wait.max > 0", rule(.runnableWait, .max, .greater, 0, .none)),
    ]

    @Test("valid rules", arguments: valid)
    func parses(_ text: String, _ expected: Rule) throws {
        #expect(try RuleParser.rule(text) == expected)
    }

    @Test("a percentage compares a share; otherwise the default field")
    func resolvedField() throws {
        #expect(try RuleParser.rule("off_core > 2%").field == .pct)
        #expect(try RuleParser.rule("off_core > 2%").kind == .share)
        #expect(try RuleParser.rule("off_core > 2ms").field == .total)
        #expect(try RuleParser.rule("off_core.preempted.total > 2%").kind == .share)
        #expect(try RuleParser.rule("thief[comm=a] > 1ms").field == .stolen)
        #expect(try RuleParser.rule("migrations > 1").field == .count)
        #expect(try RuleParser.rule("lost_events > 0").field == .count)
        #expect(try RuleParser.rule("runnable_wait.p99 > 200us").limit == 200_000)
        #expect(try RuleParser.rule("runnable_wait.pct > 5%").limit == 0.05)
        #expect(try RuleParser.rule("on_core > 1.5s").limit == 1.5e9)
    }

    /// Malformed rules: the column (1-based) points at the offending character.
    static let malformed: [(String, Int, String)] = [
        ("", 1, "expected a metric, the rule is empty"),
        ("> 5", 1, "expected a metric, found '>'"),
        ("runable_wait > 1ms", 1, "unknown metric 'runable_wait'"),
        ("thieves.stolen > 1ms", 1, "'thieves' is a list"),
        ("runnable_wait-p99 > 1ms", 14, "unexpected '-' after the metric"),
        ("runnable_wait.p95 > 1ms", 15, "'runnable_wait' has no field 'p95'"),
        ("runnable_wait. > 1ms", 15, "expected a field after '.'"),
        ("runnable_wait.p99.max > 1ms", 18, "unexpected '.max' after 'runnable_wait.p99'"),
        ("off_core.preemted > 1ms", 10, "'off_core' has no field 'preemted'"),
        ("lost_events.count > 0", 13, "'lost_events' has no field 'count'"),
        ("migrations.p99 > 1", 12, "'migrations' has no field 'p99'"),
        ("thief.stolen > 1ms", 6, "expected '[' after 'thief'"),
        ("thief[comm=kworker*.stolen > 1ms", 6, "'[' is not closed"),
        ("thief[name=x].stolen > 1ms", 7, "expected comm=, tgid= or pid="),
        ("thief[comm kworker].stolen > 1ms", 11, "expected '=' after 'comm'"),
        ("thief[comm=].stolen > 1ms", 12, "empty comm in thief[…]"),
        ("thief[tgid=abc].count > 1", 12, "tgid must be a number, found 'abc'"),
        ("thief[pid=99999999999].count > 1", 11, "pid must be a number"),
        ("runnable_wait.p99 200us", 19, "expected an operator, found '2'"),
        ("runnable_wait.p99", 18, "expected an operator, the rule ends"),
        ("runnable_wait.p99 >> 200us", 19, "unknown operator '>>'"),
        ("runnable_wait.p99 == 200us", 19, "unknown operator '=='"),
        ("runnable_wait.p99 = 200us", 19, "unknown operator '='"),
        ("runnable_wait.p99 != 200us", 19, "unknown operator '!='"),
        ("runnable_wait.p99 =< 200us", 19, "unknown operator '=<'"),
        ("runnable_wait.p99 >", 20, "expected a number, the rule ends"),
        ("runnable_wait.p99 > abc", 21, "expected a number, found 'a'"),
        ("runnable_wait.p99 > .5ms", 21, "expected a number, found '.'"),
        ("runnable_wait.p99 > -5us", 21, "a value cannot be negative"),
        ("runnable_wait.p99 > 1.us", 23, "expected digits after '.'"),
        ("runnable_wait.p99 > 1e", 22, "expected an exponent after 'e'"),
        ("runnable_wait.p99 > 1e999us", 21, "number out of range"),
        ("runnable_wait.p99 > 200xs", 24, "unknown unit 'xs'"),
        ("on_core > 1m", 12, "unknown unit 'm'"),
        ("runnable_wait.p99 > 200", 24, "'runnable_wait.p99' is a duration and needs a time unit"),
        ("runnable_wait.p99 > 5%", 22, "'runnable_wait.p99' is a duration; a percentage compares a share"),
        ("runnable_wait.pct > 0.05", 25, "'runnable_wait.pct' is a share of thread time and needs %"),
        ("runnable_wait.pct > 5ms", 22, "'runnable_wait.pct' is a share of thread time and needs %"),
        ("migrations.count > 5%", 21, "'migrations.count' is a count and takes a plain number"),
        ("migrations > 1s", 15, "'migrations.count' is a count"),
        ("lost_events > 1%", 16, "'lost_events.count' is a count"),
        ("on_core.count > 3ms", 18, "'on_core.count' is a count"),
        ("runnable_wait.p99 > 200us and more", 27, "unexpected 'and more' after the value"),
        ("runnable_wait.p99 > 200us 300us", 27, "unexpected '300us' after the value"),
    ]

    @Test("malformed rules: message and column", arguments: malformed)
    func refuses(_ text: String, _ column: Int, _ message: String) throws {
        let error = try #require(ruleError(text), "'\(text)' parsed")
        #expect(error.column == column, "'\(text)': \(error)")
        #expect(error.message.hasPrefix(message), "'\(text)': \(error)")
        #expect(error.hint != nil)
        #expect(!error.description.contains("\n"))
    }

    @Test("hints suggest the nearest name and show an example")
    func hints() {
        func hint(_ text: String) -> String { ruleError(text)?.hint ?? "" }
        #expect(hint("runable_wait > 1ms").hasPrefix("did you mean 'runnable_wait'?"))
        #expect(hint("off_core.preemted > 1ms").hasPrefix("did you mean 'preempted'?"))
        #expect(hint("on_core.p9 > 1ms").hasPrefix("did you mean 'p90'?"))
        #expect(hint("runnable_wait.p99 > 200").contains("runnable_wait.p99 > 200us"))
        #expect(hint("runnable_wait.p99 > 5%").contains("runnable_wait.pct > 5%"))
        #expect(hint("zzzzzzzz > 1").hasPrefix("metrics: on_core"))
    }

    @Test("the one-line message carries rule, column, message and hint; control characters are masked")
    func description() throws {
        let e = try #require(ruleError("migrations >> 5"))
        #expect(
            e.description == "invalid rule 'migrations >> 5' at column 12: unknown operator '>>'; "
                + "hint: operators: >, >=, <, <=; the rule states the condition that fails the gate")
        let e2 = try #require(ruleError("migrations\u{1}> 5"))
        #expect(
            e2.description == "invalid rule 'migrations?> 5' at column 11: unexpected '?' after the metric; "
                + "hint: a rule is METRIC OP VALUE, e.g. runnable_wait.p99 > 200us")
        #expect(try RuleParser.rule("migrations\n>\r\n5") == RuleParser.rule("migrations > 5"))
    }

    static let regressionLists: [(String, [Regression])] = [
        (
            "runnable_wait.p99=20%,off_core.total=10%",
            [
                Regression(metric: Metric(.runnableWait, .p99), allowedPercent: 20),
                Regression(metric: Metric(.offCore, .total), allowedPercent: 10),
            ]
        ),
        (
            " runnable_wait.p99 = 20% , migrations=0% ",
            [
                Regression(metric: Metric(.runnableWait, .p99), allowedPercent: 20),
                Regression(metric: Metric(.migrations), allowedPercent: 0),
            ]
        ),
        (
            "thief[comm=a,b]=5%,off_core.preempted.pct=2.5%",
            [
                Regression(metric: Metric(.thief(.comm("a,b"))), allowedPercent: 5),
                Regression(metric: Metric(.offCoreState(.preempted), .pct), allowedPercent: 2.5),
            ]
        ),
        // A leading '-': a decrease beyond the share fails ("higher is better" numbers).
        (
            "on_core.pct=-10%, runnable_wait.p99=20%, on_core = - 0%",
            [
                Regression(metric: Metric(.onCore, .pct), allowedPercent: 10, decrease: true),
                Regression(metric: Metric(.runnableWait, .p99), allowedPercent: 20),
                Regression(metric: Metric(.onCore), allowedPercent: 0, decrease: true),
            ]
        ),
    ]

    @Test("--max-regression lists", arguments: regressionLists)
    func regressions(_ text: String, _ expected: [Regression]) throws {
        let parsed = try RuleParser.regressions(text)
        #expect(parsed == expected)
        #expect(try RuleParser.regressions(parsed.map(\.description).joined(separator: ",")) == expected)
    }

    static let badRegressionLists: [(String, Int, String)] = [
        ("", 1, "expected a metric"),
        ("runnable_wait.p99", 18, "expected '=' and the allowed increase"),
        ("runnable_wait.p99>20%", 18, "expected '=' and the allowed increase"),
        ("runnable_wait.p99=20", 21, "the allowed increase is a percentage"),
        ("runnable_wait.p99=20ms", 21, "the allowed increase is a percentage"),
        ("runnable_wait.p99=20%,", 23, "expected a metric"),
        ("runnable_wait.p99=20% off_core=1%", 23, "unexpected 'off_core=1%'"),
        ("runnable_wait.p99=--5%", 20, "a value cannot be negative"),
        ("runnable_wait.p99=-5", 21, "the allowed increase is a percentage"),
        ("runnable_wait.p99=-", 20, "expected a number"),
        ("runable_wait=5%", 1, "unknown metric 'runable_wait'"),
    ]

    @Test("malformed --max-regression lists", arguments: badRegressionLists)
    func refusesRegressions(_ text: String, _ column: Int, _ message: String) throws {
        let error = try #require(regressionError(text), "'\(text)' parsed")
        #expect(error.column == column, "'\(text)': \(error)")
        #expect(error.message.hasPrefix(message), "'\(text)': \(error)")
    }

    @Test("comparisons: strict and non-strict at the boundary, with float noise")
    func comparisons() {
        #expect(!Comparison.greater.holds(200_000, 200_000))
        #expect(Comparison.greaterOrEqual.holds(200_000, 200_000))
        #expect(!Comparison.less.holds(200_000, 200_000))
        #expect(Comparison.lessOrEqual.holds(200_000, 200_000))
        #expect(Comparison.greater.holds(200_001, 200_000))
        #expect(Comparison.less.holds(199_999, 200_000))
        // 0.1 + 0.2 is not 0.3 in binary, but a limit of 30% must still meet it.
        #expect(!Comparison.greater.holds(0.1 + 0.2, 0.3))
        #expect(Comparison.greaterOrEqual.holds(0.3, 0.1 + 0.2))
        #expect(Comparison.greater.holds(1, 0))
        #expect(!Comparison.greater.holds(0, 0))
    }
}
