import Foundation
import Testing
import ThiefCore
import ThiefGate
import ThiefReport

@Suite("Gate verdicts")
struct GateVerdictTests {
    static let ms = Fixture.ms, us = Fixture.us

    /// Every metric path read from the fixture (1 s of thread time).
    static let observed: [(String, Double)] = [
        ("on_core > 1ms", 500 * ms),
        ("on_core.count > 1", 100),
        ("on_core.pct > 1%", 0.5),
        ("on_core > 1%", 0.5),
        ("on_core.min > 1ms", 1 * ms),
        ("on_core.avg > 1ms", 5 * ms),
        ("on_core.p50 > 1ms", 4 * ms),
        ("on_core.p90 > 1ms", 8 * ms),
        ("on_core.p99 > 1ms", 10 * ms),
        ("on_core.max > 1ms", 12 * ms),
        ("off_core.total > 1ms", 500 * ms),
        ("off_core.preempted.total > 1ms", 300 * ms),
        ("off_core.preempted.total > 2%", 0.3),
        ("off_core.preempted > 2%", 0.3),
        ("off_core.preempted.p99 > 1ms", 9 * ms),
        ("off_core.sleeping.pct > 1%", 0.15),
        ("off_core.blocked.count > 1", 10),
        ("off_core.other.max > 1ms", 0),
        ("runnable_wait.p99 > 1us", 200 * us),
        ("runnable_wait.pct > 1%", 0.32),
        ("runnable_wait.count > 1", 1600),
        ("migrations > 1", 5),
        ("migrations.at_wakeup > 1", 2),
        ("migrations.while_queued > 1", 2),
        ("migrations.while_running > 1", 1),
        ("irqs > 1us", 8 * us),
        ("irqs.count > 1", 2),
        ("irqs.max > 1us", 5 * us),
        ("irqs.pct > 1%", 8 * us / 1e9),
        ("softirqs.total > 1us", 70 * us),
        ("softirqs.count > 1", 14),
        ("softirqs.max > 1us", 9 * us),
        ("system_vectors.count > 1", 250),
        ("system_vectors > 1%", 500 * us / 1e9),
        ("lost_events > 0", 0),
        ("missed_switch_events > 0", 0),
        ("thief[comm=kworker*].stolen > 1ms", 30 * ms),
        ("thief[comm=kworker*].count > 1", 15),
        ("thief[comm=kworker*].max > 1ms", 4 * ms),
        ("thief[comm=kworker/?:*] > 1ms", 20 * ms),
        ("thief[comm=*] > 1ms", 280 * ms),
        ("thief[comm=competitor] > 1%", 0.25),
        ("thief[tgid=2000].pct > 1%", 0.25),
        ("thief[pid=30].stolen > 1ms", 20 * ms),
        ("thief[comm=nosuch*].stolen > 1ms", 0),
        ("thief[tgid=4242].count > 1", 0),
    ]

    @Test("metric paths read the fixture", arguments: observed)
    func reads(_ text: String, _ expected: Double) throws {
        let rule = try RuleParser.rule(text)
        let value = try rule.observed(in: try Fixture.report())
        #expect(abs(value - expected) <= 1e-9 * max(1, abs(expected)), "\(text): \(value)")
    }

    /// (rule, fails?) on the fixture; the boundary cases hit the fixture's exact values.
    static let verdicts: [(String, Bool)] = [
        ("runnable_wait.p99 > 100us", true),
        ("runnable_wait.p99 > 300us", false),
        ("runnable_wait.p99 > 200us", false),  // boundary: equal is not greater
        ("runnable_wait.p99 >= 200us", true),
        ("runnable_wait.p99 < 200us", false),
        ("runnable_wait.p99 <= 200us", true),
        ("runnable_wait.p99 > 0.2ms", false),
        ("runnable_wait.p99 >= 0.0002s", true),
        ("migrations.count > 5", false),
        ("migrations.count >= 5", true),
        ("runnable_wait.pct > 32%", false),
        ("runnable_wait.pct >= 32%", true),
        ("off_core.preempted.total > 2%", true),
        ("off_core.preempted.pct < 30%", false),
        ("off_core.preempted.pct <= 30%", true),
        ("on_core.pct < 50%", false),
        ("thief[comm=nosuch].stolen > 0ns", false),  // a missing thief is 0
        ("thief[comm=nosuch].count < 1", true),
        ("thief[comm=competitor].stolen > 250ms", false),
        ("thief[comm=competitor].stolen >= 250ms", true),
        ("lost_events > 0", false),
    ]

    @Test("verdicts on the fixture: pass, fail and boundary equality", arguments: verdicts)
    func verdict(_ text: String, _ fails: Bool) throws {
        let result = try Gate(rules: [try RuleParser.rule(text)]).judge([try Fixture.report()])
        let check = try #require(result.checks.first)
        #expect(check.failed == fails, "\(text): observed \(check.observed)")
        #expect(result.failed == fails)
        #expect(result.checks.count == 2)  // the rule and the implicit lost-events check
    }

    @Test("lost events fail the gate unless --allow-lost")
    func lostEvents() throws {
        var lossy = try Fixture.report()
        lossy.lostEvents = 3
        let rules = [try RuleParser.rule("migrations.count > 100")]
        let strict = try Gate(rules: rules).judge([lossy])
        #expect(strict.failed)
        #expect(strict.failures == 1)
        let implicit = try #require(strict.checks.last)
        #expect(implicit.implicit && implicit.failed && implicit.observed == 3)
        #expect(implicit.rule == Gate.lostEventsRule)
        #expect(implicit.rule.description == "lost_events > 0")

        let allowed = try Gate(rules: rules, allowLost: true).judge([lossy])
        #expect(!allowed.failed)
        #expect(allowed.checks.count == 1)

        // With several runs, one lossy run is enough: the check takes the largest count, not the median.
        let clean = try Fixture.report()
        let repeated = try Gate(rules: rules).judge([clean, lossy, clean])
        #expect(repeated.failed)
        #expect(repeated.checks.last?.observed == 3)
    }

    @Test("missing lists read as zero, a missing off-core state is an error, and an empty report does not trap")
    func missingData() throws {
        var r = try Fixture.report()
        r.thieves = []
        r.irqs = []
        #expect(try RuleParser.rule("thief[comm=*].max > 0ns").observed(in: r) == 0)
        #expect(try RuleParser.rule("irqs.max > 0ns").observed(in: r) == 0)
        // A report that does not say how long the process was preempted is not "0 ns preempted".
        var noStates = r
        noStates.offCore.byState = nil
        #expect(throws: MetricUnavailable("off_core.by_state.preempted")) {
            try RuleParser.rule("off_core.preempted.total > 0ns").observed(in: noStates)
        }
        var noBlocked = r
        noBlocked.offCore.byState?[.blocked] = nil
        #expect(throws: MetricUnavailable("off_core.by_state.blocked")) {
            try RuleParser.rule("off_core.blocked > 1%").observed(in: noBlocked)
        }
        #expect(try RuleParser.rule("off_core.preempted.total > 0ns").observed(in: noBlocked) == 300 * Self.ms)
        r.target.threads = []
        #expect(try RuleParser.rule("softirqs > 1%").observed(in: r) == 0)
        // Start after end (a hand-edited report) is an empty window, not an underflow.
        var odd = try Fixture.report()
        odd.target.threads[0].startNs = UInt64.max
        #expect(odd.threadTimeNs == 0)
        // Huge values sum in Double and do not overflow.
        odd.thieves = Array(repeating: Report.Thief(from: odd.thieves[0], stolen: UInt64.max), count: 3)
        #expect(try RuleParser.rule("thief[comm=*] > 1ms").observed(in: odd) == 3 * Double(UInt64.max))
        #expect(try Gate(rules: [try RuleParser.rule("on_core > 1ms")]).judge([]).checks.first?.observed == 0)
    }

    /// Design section 4 promises total/count/p50/p99/max/hist: a report without
    /// the rest decodes, and only a rule that reads a missing field fails to judge.
    @Test("a report without p90_ns, pct, min_ns, avg_ns decodes; a rule on one of them is an error, not 0")
    func optionalStatsFields() throws {
        let data = try Fixture.stripped(["p90_ns", "pct", "min_ns", "avg_ns"])
        let reports = try ReportFile.reports(in: data)
        let r = try #require(reports.first)
        #expect(r.onCore.absent == ["p90_ns", "pct", "min_ns", "avg_ns"])
        #expect(r.offCore.byState?[.preempted]?.absent == ["p90_ns", "pct", "min_ns", "avg_ns"])
        // The promised fields read as before.
        #expect(try RuleParser.rule("on_core.p50 > 1ms").observed(in: r) == 4 * Self.ms)
        #expect(try RuleParser.rule("runnable_wait.p99 > 1us").observed(in: r) == 200 * Self.us)
        #expect(try RuleParser.rule("off_core.preempted.total > 1ms").observed(in: r) == 300 * Self.ms)
        #expect(try RuleParser.rule("thief[comm=competitor] > 1%").observed(in: r) == 0.25)
        let missing: [(String, String)] = [
            ("on_core.p90 > 1ms", "report has no p90 for on_core"),
            ("on_core.min > 1ms", "report has no min for on_core"),
            ("runnable_wait.avg > 1ms", "report has no avg for runnable_wait"),
            ("runnable_wait.pct > 5%", "report has no pct for runnable_wait"),
            ("off_core.preempted.total > 2%", "report has no pct for off_core.preempted"),
            ("off_core.sleeping > 2%", "report has no pct for off_core.sleeping"),
            ("off_core.blocked.p90 > 1ms", "report has no p90 for off_core.blocked"),
        ]
        for (text, message) in missing {
            let rule = try RuleParser.rule(text)
            do {
                let value = try rule.observed(in: r)
                Issue.record("\(text) read \(value)")
            } catch {
                #expect(error.description == message)
            }
            // The gate names which report lacks it.
            do {
                _ = try Gate(rules: [rule]).judge([try Fixture.report(), r, try Fixture.report()])
                Issue.record("\(text) judged")
            } catch {
                #expect("\(error)" == message.replacing("report has", with: "report 2 of 3 has"))
            }
        }
        // A baseline without the field: the regression cannot be judged either.
        let regression = try RuleParser.regressions("on_core.p90=10%")
        #expect(throws: MetricUnavailable("p90 for on_core", report: "baseline report")) {
            try Gate(regressions: regression, baseline: [r]).judge([try Fixture.report()])
        }
        #expect(throws: MetricUnavailable("p90 for on_core")) {
            try Gate(regressions: regression, baseline: [try Fixture.report()]).judge([r])
        }
        // A report with every field has nothing absent, and round-trips equal.
        #expect(try Fixture.report().onCore.absent.isEmpty)
    }

    @Test("median of several runs: odd and even counts")
    func median() throws {
        #expect(Median.of([]) == 0)
        #expect(Median.of([7]) == 7)
        #expect(Median.of([3, 1, 2]) == 2)
        #expect(Median.of([4, 1, 3, 2]) == 2.5)
        #expect(Median.of([100, 100, 5000]) == 100)

        // --repeat 3: one noisy run (500us) does not fail a 300us limit; the median (200us) is judged.
        let runs = try [100, 500, 200].map { try Fixture.report(p99: $0) }
        let rule = try RuleParser.rule("runnable_wait.p99 > 300us")
        let result = try Gate(rules: [rule]).judge(runs)
        let check = try #require(result.checks.first)
        #expect(check.runs == [100_000, 500_000, 200_000])
        #expect(check.observed == 200_000)
        #expect(!check.failed)
        #expect(result.runs == 3)
        // Two of three runs over the limit: the median is over it too.
        let bad = try [400, 500, 200].map { try Fixture.report(p99: $0) }
        #expect(try Gate(rules: [rule]).judge(bad).failed)
        // An even count judges the mean of the middle two.
        let even = try [100, 200, 400, 1000].map { try Fixture.report(p99: $0) }
        #expect(try Gate(rules: [rule]).judge(even).checks.first?.observed == 300_000)
        #expect(!(try Gate(rules: [rule]).judge(even).failed))
    }

    @Test("baseline: an increase beyond the allowed share fails; the boundary and decreases pass")
    func baseline() throws {
        let base = [try Fixture.report(p99: 200)]
        let allowed = try RuleParser.regressions("runnable_wait.p99=20%")
        func judge(_ nowUs: UInt64) throws -> RegressionCheck {
            let result = try Gate(regressions: allowed, baseline: base).judge([try Fixture.report(p99: nowUs)])
            return try #require(result.regressions.first)
        }
        let same = try judge(200)
        #expect(same.baseline == 200_000 && same.now == 200_000 && same.change == 0 && !same.failed)
        let edge = try judge(240)  // +20% exactly
        #expect(abs(edge.change - 0.2) < 1e-12 && !edge.failed)
        let over = try judge(241)
        #expect(over.failed && over.change > 0.2)
        let better = try judge(100)
        #expect(!better.failed && better.change == -0.5)

        // A metric that was 0 in the baseline: any increase fails ("a new thief"); 0 stays 0 passes.
        let thief = try RuleParser.regressions("thief[comm=newcomer]=50%,thief[comm=competitor]=10%")
        var now = try Fixture.report()
        let gate = Gate(regressions: thief, baseline: [now])
        #expect(!(try gate.judge([now]).failed))
        now.thieves.append(Report.Thief(from: now.thieves[0], comm: "newcomer", stolen: 1_000_000))
        let result = try gate.judge([now])
        #expect(result.failed && result.failures == 1)
        #expect(result.regressions[0].change == .infinity && result.regressions[0].failed)
        #expect(!result.regressions[1].failed)

        // The default field of a path without one: off_core reads off_core.total.
        let off = try RuleParser.regressions("off_core=10%")
        var slower = try Fixture.report()
        slower.offCore.totalNs = 560_000_000  // +12%
        let r2 = try Gate(regressions: off, baseline: [try Fixture.report()]).judge([slower])
        #expect(r2.failed && abs(r2.regressions[0].change - 0.12) < 1e-12)
    }

    @Test("baseline: METRIC=-N% fails on a decrease beyond N%; increases pass")
    func baselineDecrease() throws {
        let base = try Fixture.report()  // on_core.pct 50%
        let allowed = try RuleParser.regressions("on_core.pct=-10%")
        func judge(_ pct: Double) throws -> RegressionCheck {
            var now = base
            now.onCore.pct = pct
            return try #require(try Gate(regressions: allowed, baseline: [base]).judge([now]).regressions.first)
        }
        #expect(!(try judge(0.5).failed))
        #expect(!(try judge(0.45).failed))  // -10% exactly: the boundary passes
        let fell = try judge(0.44)
        #expect(fell.failed && abs(fell.change + 0.12) < 1e-12)
        #expect(!(try judge(0.9).failed))  // an increase is not what this entry guards
        #expect(VerdictRenderer.message(fell) == "on_core.pct fell -12.0% (baseline 50.00%, now 44.00%), allowed -10%")
        var now = base
        now.onCore.pct = 0.44
        let table = VerdictRenderer.render(try Gate(regressions: allowed, baseline: [base]).judge([now]))
        #expect(
            table.split(separator: "\n").last?.split(separator: " ").map(String.init)
                == ["on_core.pct", "50.00%", "44.00%", "-12.0%", "-10%", "FAIL"])
        // A zero baseline cannot fall.
        var zero = base
        zero.onCore.pct = 0
        #expect(!(try Gate(regressions: allowed, baseline: [zero]).judge([zero]).failed))
    }

    @Test("baseline and now are both medians with --repeat")
    func baselineMedian() throws {
        let base = try [150, 200, 900].map { try Fixture.report(p99: $0) }  // median 200us
        let now = try [230, 1000, 235].map { try Fixture.report(p99: $0) }  // median 235us
        let result = try Gate(regressions: try RuleParser.regressions("runnable_wait.p99=20%"), baseline: base).judge(
            now)
        let check = try #require(result.regressions.first)
        #expect(check.baseline == 200_000 && check.now == 235_000 && !check.failed)
    }
}

extension Report.Thief {
    /// A copy with another comm and/or stolen time (Report.Thief has no public initializer).
    init(from t: Report.Thief, comm: String? = nil, stolen: UInt64) {
        self = t
        if let comm {
            self.comm = comm
            self.pid += 1000
            self.tgid += 1000
        }
        self.stolenNs = stolen
    }
}
