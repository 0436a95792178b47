import ThiefCore
import ThiefReport

/// The gate's verdicts for people (the table, printed on stderr) and for
/// GitHub Actions (`::error` workflow commands, also printed on stderr).
public enum VerdictRenderer {
    public static func render(_ result: GateResult) -> String {
        let runs = result.runs > 1 ? " (median of \(result.runs) runs)" : ""
        var out =
            "thief gate: "
            + (result.failed
                ? "FAIL, \(result.failures) of \(result.total) checks failed" : "pass, \(result.total) checks passed")
            + runs + "\n"
        if !result.checks.isEmpty {
            out += table(
                ["RULE", "OBSERVED", "LIMIT", "VERDICT"],
                result.checks.map { c in
                    [
                        c.rule.description + (c.implicit ? " (implicit, --allow-lost waives it)" : ""),
                        value(c.observed, c.rule.kind), c.rule.value.description, verdict(c.failed),
                    ]
                })
        }
        if !result.regressions.isEmpty {
            out += table(
                ["REGRESSION", "BASELINE", "NOW", "CHANGE", "ALLOWED", "VERDICT"],
                result.regressions.map { r in
                    [
                        r.regression.metric.description, value(r.baseline, r.kind), value(r.now, r.kind),
                        change(r.change), allowed(r.regression), verdict(r.failed),
                    ]
                })
        }
        return out
    }

    /// One `::error` line per failed check, for GitHub Actions (`GITHUB_ACTIONS=true`).
    public static func githubAnnotations(_ result: GateResult) -> [String] {
        failureMessages(result).map { "::error title=thief gate::" + escapeWorkflowData($0) }
    }

    /// One line per failed check: what failed and by how much.
    public static func failureMessages(_ result: GateResult) -> [String] {
        result.checks.filter(\.failed).map { message($0, runs: result.runs) }
            + result.regressions.filter(\.failed).map(message)
    }

    public static func message(_ c: RuleCheck, runs: Int) -> String {
        if c.implicit {
            return
                "\(value(c.observed, .count)) events lost in the largest run: the measurement is incomplete (--allow-lost accepts it)"
        }
        let median = runs > 1 ? " (median of \(runs) runs)" : ""
        return "\(c.rule): observed \(value(c.observed, c.rule.kind))\(median)"
    }

    public static func message(_ r: RegressionCheck) -> String {
        "\(r.regression.metric) \(r.regression.decrease ? "fell" : "regressed") \(change(r.change)) "
            + "(baseline \(value(r.baseline, r.kind)), now \(value(r.now, r.kind))), allowed \(allowed(r.regression))"
    }

    /// The allowed change: "+20%" for an increase limit, "-10%" for a decrease limit.
    static func allowed(_ r: Regression) -> String {
        (r.decrease ? "-" : "+") + Quantity(r.allowedPercent, .percent).description
    }

    /// A value in its kind's unit. Values outside what the formatters take
    /// (only a hand-edited report can hold them) print as plain numbers.
    public static func value(_ v: Double, _ kind: Quantity.Kind) -> String {
        guard v.isFinite, abs(v) < 1e15 else { return "\(v)" }
        switch kind {
        case .duration: return v < 0 ? "\(v)ns" : Format.duration(UInt64(v.rounded()))
        case .share: return Format.fixed(v * 100, 2) + "%"
        case .count: return v == v.rounded() ? String(Int64(v)) : Format.fixed(v, 1)
        }
    }

    static func change(_ c: Double) -> String {
        if c == .infinity { return "new (was 0)" }
        guard c.isFinite, abs(c) < 1e12 else { return "\(c)" }
        return (c >= 0 ? "+" : "") + Format.fixed(c * 100, 1) + "%"
    }

    static func verdict(_ failed: Bool) -> String { failed ? "FAIL" : "pass" }

    /// Left-aligned first column, right-aligned numbers, left-aligned verdict.
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { i in all.map { $0[i].count }.max() ?? 0 }
        return all.map { row in
            "  "
                + row.indices.map { i in
                    Format.pad(row[i], widths[i], left: i == 0 || i == row.count - 1)
                }.joined(separator: "  ").trimmingTrailingSpaces() + "\n"
        }.joined()
    }

    /// GitHub's escaping of a workflow command's message.
    static func escapeWorkflowData(_ s: String) -> String {
        s.replacing("%", with: "%25").replacing("\r", with: "%0D").replacing("\n", with: "%0A")
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = Substring(self)
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
