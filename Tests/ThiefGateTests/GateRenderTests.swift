import Foundation
import Testing
import ThiefCore
import ThiefGate
import ThiefReport

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Collects elements, their attributes, parents and text from an XML document.
final class XMLTree: NSObject, XMLParserDelegate {
    struct Element {
        var name: String
        var attributes: [String: String]
        var parent: String?
        var text = ""
    }
    var elements: [Element] = []
    var stack: [Int] = []
    var error: Error?

    static func parse(_ xml: String) throws -> XMLTree {
        let tree = XMLTree()
        let parser = XMLParser(data: Data(xml.utf8))
        parser.delegate = tree
        let ok = parser.parse()
        if let e = tree.error ?? parser.parserError { throw e }
        try #require(ok)
        return tree
    }

    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        elements.append(Element(name: name, attributes: attributes, parent: stack.last.map { elements[$0].name }))
        stack.append(elements.count - 1)
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        stack.removeLast()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if let i = stack.last { elements[i].text += string }
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) { error = parseError }

    func all(_ name: String) -> [Element] { elements.filter { $0.name == name } }
}

@Suite("Gate renderers")
struct GateRenderTests {
    /// Two rules (one fails), the implicit lost-events check, two regressions (one fails); 3 runs.
    static func result() throws -> (GateResult, [Report]) {
        let runs = try [190, 250, 260].map { try Fixture.report(p99: $0) }
        let gate = Gate(
            rules: [try RuleParser.rule("runnable_wait.p99 > 200us"), try RuleParser.rule("thief[comm=<&\"'>] > 1%")],
            regressions: try RuleParser.regressions("runnable_wait.p99=20%,migrations=0%"),
            baseline: [try Fixture.report(p99: 200)])
        return (try gate.judge(runs), runs)
    }

    @Test("JUnit XML parses back with the schema's required elements and attributes")
    func junit() throws {
        let (result, runs) = try Self.result()
        #expect(result.total == 5 && result.failures == 2)
        let xml = JUnitRenderer.render(result, reports: runs)
        let tree = try XMLTree.parse(xml)

        let roots = tree.all("testsuites")
        try #require(roots.count == 1)
        #expect(roots[0].parent == nil)
        #expect(roots[0].attributes["tests"] == "5" && roots[0].attributes["failures"] == "2")
        // The totals readers take from the root (Jenkins, GitLab).
        for attr in ["name", "tests", "failures", "errors", "time"] {
            #expect(!(roots[0].attributes[attr] ?? "").isEmpty, "testsuites lacks \(attr)")
        }

        let suites = tree.all("testsuite")
        try #require(suites.count == 1)
        let suite = suites[0]
        #expect(suite.parent == "testsuites")
        // The Ant JUnit schema's required attributes of a testsuite inside testsuites, none empty.
        for attr in ["name", "tests", "failures", "errors", "time", "timestamp", "hostname", "id", "package"] {
            #expect(!(suite.attributes[attr] ?? "").isEmpty, "testsuite lacks \(attr)")
        }
        #expect(
            Set(suite.attributes.keys) == [
                "name", "tests", "failures", "errors", "time", "timestamp", "hostname", "id", "package",
            ])
        #expect(Int(suite.attributes["id"] ?? "") == 0)
        #expect(suite.attributes["package"] == "thief.gate")
        #expect(suite.attributes["tests"] == "5")
        #expect(suite.attributes["failures"] == "2")
        #expect(suite.attributes["errors"] == "0")
        #expect(suite.attributes["timestamp"] == "2026-01-01T00:00:00")
        #expect(suite.attributes["hostname"] == "ci-runner")
        #expect(suite.attributes["time"] == "3.000")
        #expect(Double(suite.attributes["time"] ?? "") != nil)

        // The schema's order inside a testsuite: properties, testcase*, system-out, system-err.
        let children = tree.elements.filter { $0.parent == "testsuite" }.map(\.name)
        #expect(children.first == "properties")
        #expect(Array(children.suffix(2)) == ["system-out", "system-err"])
        #expect(
            tree.all("property").allSatisfy {
                $0.parent == "properties" && $0.attributes["name"] != nil && $0.attributes["value"] != nil
            })
        #expect(tree.all("property").contains { $0.attributes["name"] == "runs" && $0.attributes["value"] == "3" })

        let cases = tree.all("testcase")
        #expect(cases.count == 5)
        for c in cases {
            #expect(c.parent == "testsuite")
            for attr in ["name", "classname", "time"] {
                #expect(!(c.attributes[attr] ?? "").isEmpty, "testcase lacks \(attr)")
            }
            #expect(Double(c.attributes["time"] ?? "") != nil)
        }
        // Names are the rules as written, escaping undone by the parser.
        #expect(
            cases.map { $0.attributes["name"] ?? "" } == [
                "runnable_wait.p99 > 200us", "thief[comm=<&\"'>] > 1%", "lost_events > 0 (implicit)",
                "runnable_wait.p99=20% (max regression)", "migrations=0% (max regression)",
            ])

        let failures = tree.all("failure")
        #expect(failures.count == 2)
        #expect(
            failures.allSatisfy {
                $0.parent == "testcase" && !($0.attributes["message"] ?? "").isEmpty && $0.attributes["type"] != nil
            })
        #expect(failures[0].attributes["message"] == "runnable_wait.p99 > 200us: observed 250.0us (median of 3 runs)")
        #expect(failures[0].text == "observed 250.0us; runs: 190.0us, 250.0us, 260.0us")
        #expect(
            failures[1].attributes["message"]?.hasPrefix(
                "runnable_wait.p99 regressed +25.0% (baseline 200.0us, now 250.0us)") == true)
    }

    @Test("JUnit XML of a passing gate has no failure element; odd text stays well-formed")
    func junitPass() throws {
        var r = try Fixture.report()
        r.host = "host\u{1}<with>&\"quotes\"\n"
        r.window.startTime = "garbage"
        let result = try Gate(rules: [try RuleParser.rule("migrations > 100")]).judge([r])
        let tree = try XMLTree.parse(JUnitRenderer.render(result, reports: [r]))
        #expect(tree.all("failure").isEmpty)
        #expect(tree.all("testsuite").first?.attributes["failures"] == "0")
        #expect(tree.all("testsuite").first?.attributes["timestamp"] == "1970-01-01T00:00:00")
        #expect(tree.all("testsuite").first?.attributes["hostname"] == "host?<with>&\"quotes\"")

        // A report without a host: the schema's hostname is never empty.
        for host in ["", " \n\t"] {
            r.host = host
            let xml = JUnitRenderer.render(
                try Gate(rules: [try RuleParser.rule("migrations > 100")]).judge([r]), reports: [r])
            #expect(try XMLTree.parse(xml).all("testsuite").first?.attributes["hostname"] == "localhost")
        }
        // No report at all (nothing to take a host or time from) is still well-formed and complete.
        let none = try XMLTree.parse(
            JUnitRenderer.render(try Gate(rules: [try RuleParser.rule("migrations > 100")]).judge([]), reports: []))
        let suite = try #require(none.all("testsuite").first)
        #expect(suite.attributes["hostname"] == "localhost" && suite.attributes["timestamp"] == "1970-01-01T00:00:00")
    }

    @Test("the verdict table shows rule, observed, limit and verdict; baseline, now and change")
    func table() throws {
        let (result, _) = try Self.result()
        let text = VerdictRenderer.render(result)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines[0] == "thief gate: FAIL, 2 of 5 checks failed (median of 3 runs)")
        #expect(lines[1].split(separator: " ").map(String.init) == ["RULE", "OBSERVED", "LIMIT", "VERDICT"])
        #expect(
            lines[2].split(separator: " ", omittingEmptySubsequences: true).map(String.init)
                == ["runnable_wait.p99", ">", "200us", "250.0us", "200us", "FAIL"])
        #expect(
            lines.contains { $0.contains("thief[comm=<&\"'>] > 1%") && $0.contains("0.00%") && $0.hasSuffix("pass") })
        #expect(lines.contains { $0.contains("lost_events > 0 (implicit") && $0.hasSuffix("pass") })
        let header = try #require(lines.firstIndex { $0.contains("REGRESSION") })
        #expect(
            lines[header].split(separator: " ").map(String.init) == [
                "REGRESSION", "BASELINE", "NOW", "CHANGE", "ALLOWED", "VERDICT",
            ])
        #expect(
            lines[header + 1].split(separator: " ").map(String.init) == [
                "runnable_wait.p99", "200.0us", "250.0us", "+25.0%", "+20%", "FAIL",
            ])
        #expect(
            lines[header + 2].split(separator: " ").map(String.init) == [
                "migrations", "5", "5", "+0.0%", "+0%", "pass",
            ])

        let pass = try Gate(rules: [try RuleParser.rule("migrations > 100")]).judge([try Fixture.report()])
        #expect(VerdictRenderer.render(pass).hasPrefix("thief gate: pass, 2 checks passed\n"))
    }

    @Test("GitHub annotations: one ::error per failed check, escaped")
    func annotations() throws {
        let (result, _) = try Self.result()
        let lines = VerdictRenderer.githubAnnotations(result)
        #expect(
            lines == [
                "::error title=thief gate::runnable_wait.p99 > 200us: observed 250.0us (median of 3 runs)",
                "::error title=thief gate::runnable_wait.p99 regressed +25.0%25 (baseline 200.0us, now 250.0us), allowed +20%25",
            ])
        let share = try Gate(rules: [try RuleParser.rule("runnable_wait.pct > 5%")]).judge([try Fixture.report()])
        #expect(
            VerdictRenderer.githubAnnotations(share) == [
                "::error title=thief gate::runnable_wait.pct > 5%25: observed 32.00%25"
            ])
        var lossy = try Fixture.report()
        lossy.lostEvents = 12
        let lost = try Gate(rules: [try RuleParser.rule("migrations > 100")]).judge([lossy])
        #expect(
            VerdictRenderer.githubAnnotations(lost) == [
                "::error title=thief gate::12 events lost in the largest run: the measurement is incomplete (--allow-lost accepts it)"
            ])
    }

    @Test("values of any size format without trapping")
    func values() {
        #expect(VerdictRenderer.value(200_000, .duration) == "200.0us")
        #expect(VerdictRenderer.value(0.05, .share) == "5.00%")
        #expect(VerdictRenderer.value(3, .count) == "3")
        #expect(VerdictRenderer.value(2.5, .count) == "2.5")
        for v in [Double.nan, .infinity, -.infinity, 1e300, -1, -1e300, Double(UInt64.max) * 3] {
            for kind in [Quantity.Kind.duration, .share, .count] { _ = VerdictRenderer.value(v, kind) }
        }
    }
}

@Suite("Gate report files")
struct GateReportFileTests {
    @Test("one report, or several written one after another (--repeat with --format json)")
    func concatenated() throws {
        var a = try Fixture.report(p99: 100)
        a.target.comm = "we{ird\"}[ ]\\"
        let b = try Fixture.report(p99: 200)
        let text = try JSONRenderer.render(a) + JSONRenderer.render(b) + "\n" + JSONRenderer.render(b)
        let reports = try ReportFile.reports(in: Data(text.utf8))
        #expect(reports == [a, b, b])
        #expect(try ReportFile.reports(in: Data(JSONRenderer.render(a).utf8)) == [a])
        // GitHub annotations printed after a report that went to the same file are skipped.
        let annotated =
            try JSONRenderer.render(a) + "::error title=thief gate::x > 1: observed 2\n" + JSONRenderer.render(b)
        #expect(try ReportFile.reports(in: Data(annotated.utf8)) == [a, b])
    }

    static let corrupt: [(String, String)] = [
        ("", "no JSON report in it"),
        ("   \n", "no JSON report in it"),
        ("[]", "not a thief JSON report (expected an object)"),
        ("\"text\"", "not a thief JSON report (expected an object)"),
        ("hello", "not a thief JSON report (text outside a JSON object)"),
        (" ::error not at a line start", "not a thief JSON report (text outside a JSON object)"),
        ("{\"schema\": 1", "not valid JSON (truncated)"),
        ("{}}", "not valid JSON (unbalanced '}')"),
        ("{\"schema\": 1}", "not a thief JSON report: missing 'tool'"),
        ("{\"schema\": 2, \"tool\": \"thief\"}", "schema 2 is not supported (this thief reads schema 1)"),
        ("{\"schema\": \"one\"}", "not a thief JSON report: wrong type at schema"),
        ("{\"schema\": 1, ]", "not valid JSON"),
    ]

    @Test("a corrupt file is one line of explanation", arguments: corrupt)
    func corruptFiles(_ text: String, _ message: String) {
        do {
            _ = try ReportFile.reports(in: Data(text.utf8))
            Issue.record("'\(text)' decoded")
        } catch {
            #expect("\(error)" == message)
            #expect(!"\(error)".contains("\n"))
        }
    }

    @Test("a missing file names the path")
    func missing() {
        #expect(throws: ReportFile.Invalid.self) { try ReportFile.load(path: "/nonexistent/report.json") }
        do { _ = try ReportFile.load(path: "/nonexistent/report.json") } catch {
            #expect("\(error)" == "report '/nonexistent/report.json' does not exist")
        }
    }

    @Test("a field deep inside the report names its path")
    func deepError() throws {
        var object = try JSONSerialization.jsonObject(with: Data(contentsOf: Fixture.url())) as? [String: Any] ?? [:]
        var wait = object["runnable_wait"] as? [String: Any] ?? [:]
        wait["p99_ns"] = "slow"
        object["runnable_wait"] = wait
        let data = try JSONSerialization.data(withJSONObject: object)
        do {
            _ = try ReportFile.reports(in: data)
            Issue.record("decoded")
        } catch {
            #expect("\(error)" == "not a thief JSON report: wrong type at runnable_wait.p99_ns")
        }
    }
}
