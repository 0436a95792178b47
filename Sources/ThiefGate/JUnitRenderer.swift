import ThiefCore
import ThiefReport

/// The gate's verdicts as JUnit XML (`--junit FILE`): one testsuite, one
/// testcase per check, a `failure` element for each failed one.
///
/// The `testsuite` and everything in it follow the Ant JUnit schema (JUnit.xsd)
/// for a suite inside `testsuites`: attributes name, tests, failures, errors,
/// time, timestamp (xs:dateTime without a zone), hostname (never empty), id and
/// package; then properties, testcase* (name, classname, time), system-out,
/// system-err. The `testsuites` root also carries name, tests, failures, errors
/// and time: that schema declares none, but Jenkins, GitLab and the other
/// common readers take their totals from there.
public enum JUnitRenderer {
    public static func render(_ result: GateResult, reports: [Report]) -> String {
        let first = reports.first
        let seconds = reports.reduce(0.0) { $0 + Double($1.window.durationNs) / 1e9 }
        let time = Format.fixed(seconds, 3)
        let counts = "tests=\"\(result.total)\" failures=\"\(result.failures)\" errors=\"0\""
        var x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        x += "<testsuites name=\"thief gate\" \(counts) time=\"\(time)\">\n"
        x +=
            "  <testsuite name=\"thief gate\" \(counts) time=\"\(time)\""
            + " timestamp=\"\(attr(timestamp(first?.window.startTime)))\" hostname=\"\(attr(hostname(first?.host)))\""
            + " id=\"0\" package=\"thief.gate\">\n"
        x += "    <properties>\n"
        var props: [(String, String)] = [("runs", "\(result.runs)")]
        if let r = first {
            props += [
                ("target.pid", "\(r.target.pid)"), ("target.comm", r.target.comm), ("kernel", r.kernel),
                ("thief.version", r.version),
            ]
            if let cmd = r.target.command { props.append(("target.command", cmd.joined(separator: " "))) }
        }
        for (name, value) in props { x += "      <property name=\"\(attr(name))\" value=\"\(attr(value))\"/>\n" }
        x += "    </properties>\n"
        for c in result.checks {
            let name = c.rule.description + (c.implicit ? " (implicit)" : "")
            x += testcase(
                name, "thief.gate.rule", failure: c.failed ? VerdictRenderer.message(c, runs: result.runs) : nil,
                detail: "observed \(VerdictRenderer.value(c.observed, c.rule.kind)); runs: "
                    + c.runs.map { VerdictRenderer.value($0, c.rule.kind) }.joined(separator: ", "))
        }
        for r in result.regressions {
            x += testcase(
                "\(r.regression) (max regression)", "thief.gate.baseline",
                failure: r.failed ? VerdictRenderer.message(r) : nil, detail: VerdictRenderer.message(r))
        }
        x += "    <system-out/>\n    <system-err/>\n  </testsuite>\n</testsuites>\n"
        return x
    }

    static func testcase(_ name: String, _ classname: String, failure: String?, detail: String) -> String {
        let open = "    <testcase name=\"\(attr(name))\" classname=\"\(classname)\" time=\"0\""
        guard let failure else { return open + "/>\n" }
        return open
            + ">\n      <failure message=\"\(attr(failure))\" type=\"thief.gate\">\(text(detail))</failure>\n    </testcase>\n"
    }

    /// The report's host, or "localhost" when it has none: the schema's hostname is a non-empty token.
    static func hostname(_ host: String?) -> String {
        let h = (host ?? "").split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        return h.isEmpty ? "localhost" : h
    }

    /// xs:dateTime without a zone, as the schema wants: the report's RFC 3339 start, cut to seconds.
    static func timestamp(_ rfc3339: String?) -> String {
        let s = Array((rfc3339 ?? "").prefix(19))
        let shape = Array("0000-00-00T00:00:00")
        let ok =
            s.count == shape.count && zip(s, shape).allSatisfy { a, b in b == "0" ? (a.isASCII && a.isNumber) : a == b }
        return ok ? String(s) : "1970-01-01T00:00:00"
    }

    /// Element text: markup characters escaped, characters XML 1.0 forbids replaced by '?'.
    static func text(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\t", "\n", "\r": out.unicodeScalars.append(u)
            default: out.unicodeScalars.append(u.value < 0x20 || u.value == 0xFFFE || u.value == 0xFFFF ? "?" : u)
            }
        }
        return out
    }

    static func attr(_ s: String) -> String {
        text(s).replacing("\"", with: "&quot;").replacing("'", with: "&apos;")
            .replacing("\n", with: "&#10;").replacing("\r", with: "&#13;").replacing("\t", with: "&#9;")
    }
}
