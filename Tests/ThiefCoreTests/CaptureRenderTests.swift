import Foundation
import Testing

@testable import ThiefCore
@testable import ThiefReport

@Suite("CSV and OpenMetrics")
struct CaptureRenderTests {
    @Test(
        "RFC 4180 quoting of hostile names",
        arguments: [
            ("plain", "plain"), ("a,\"b c", "\"a,\"\"b c\""), ("two words", "\"two words\""), ("q\"", "\"q\"\"\""),
            ("", ""),
        ])
    func quoting(input: String, expected: String) {
        #expect(CSVRenderer.quote(input) == expected)
    }

    @Test("the CSV header is the documented, stable one")
    func header() {
        #expect(
            CSVRenderer.header.hasPrefix(
                "schema,timestamp,epoch_ns,host,kernel,pid,comm,tid,interval_index,interval_ns,on_core_ns,off_core_ns,")
        )
        // Columns are only ever added at the end: the 35 of the first version, the services', then diagnosis's.
        #expect(CSVRenderer.columns[32...34] == ["lost_events", "missed_switch_events", "end_reason"])
        #expect(CSVRenderer.columns[35...36] == ["contention_ns", "target_kind"])
        #expect(CSVRenderer.columns[37...39] == ["throttled_ns", "idle_wait_ns", "steal_ns"])
        #expect(CSVRenderer.header.hasSuffix(",steal_ns,top_waker_comm\n"))
        #expect(CSVRenderer.columns.count == 41)
    }

    @Test("rows have as many fields as the header; per-thread rows follow")
    func rows() throws {
        let r = GoldenScenario.report()
        let one = CSVRenderer.rows(r, perThread: false)
        #expect(one.split(separator: "\n").count == 1)
        let all = CSVRenderer.rows(r, perThread: true)
        let lines = all.split(separator: "\n")
        #expect(lines.count == 1 + r.target.threads.count)
        for l in lines {
            #expect(l.split(separator: ",", omittingEmptySubsequences: false).count == CSVRenderer.columns.count)
        }
    }

    @Test("OpenMetrics text: typed families, cumulative buckets, +Inf equals count")
    func openMetrics() throws {
        let r = GoldenScenario.report()
        let text = OpenMetricsRenderer.render(r)
        var typed = Set<String>()
        var last: [String: UInt64] = [:]
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") {
                typed.insert(String(line.split(separator: " ")[2]))
                continue
            }
            if line.hasPrefix("#") { continue }
            let name = String(line.prefix { $0 != "{" })
            let family = typed.first { name == $0 || name.hasPrefix($0 + "_") }
            #expect(family != nil, "sample before its TYPE: \(line)")
            #expect(line.contains("host=\"testhost\",pid=\"1000\",comm=\"victim\""))
            let value = line.split(separator: " ").last.map(String.init) ?? ""
            #expect(Double(value) != nil, "bad value: \(line)")
            if name.hasSuffix("_bucket"), let v = UInt64(value) {
                #expect(v >= last[name, default: 0])
                last[name] = v
                if line.contains("le=\"+Inf\"") { last[name] = 0 }
            }
        }
        #expect(
            text.contains(
                "thief_on_core_slice_seconds_bucket{host=\"testhost\",pid=\"1000\",comm=\"victim\",le=\"+Inf\"} \(r.onCore.count)"
            ))
        #expect(
            text.contains(
                "thief_on_core_slice_seconds_count{host=\"testhost\",pid=\"1000\",comm=\"victim\"} \(r.onCore.count)"))
    }

    @Test("OpenMetrics: one exposition, each family once, ending with the one # EOF its parsers require")
    func openMetricsEOF() {
        let text = OpenMetricsRenderer.render(GoldenScenario.report())
        #expect(text.hasSuffix("\n# EOF\n"))
        let lines = text.split(separator: "\n")
        #expect(lines.filter { $0 == "# EOF" }.count == 1)
        let types = lines.filter { $0.hasPrefix("# TYPE ") }.map { $0.split(separator: " ")[2] }
        #expect(!types.isEmpty && Set(types).count == types.count, "a family repeats")
    }

    @Test("label values are escaped")
    func escaping() {
        #expect(OpenMetricsRenderer.esc("a\"b\\c\nd") == "a\\\"b\\\\c\\nd")
    }
}

/// Names that a Character-by-Character check misses: "\r\n" is one Character,
/// and so is a quote or comma followed by a combining acute accent (U+0301).
@Suite("CSV and OpenMetrics: hostile names")
struct HostileNameTests {
    static let names = ["a\r\nb", "x\"\u{301}y", "p,\u{301}q", "\u{301},lead", "crlf\r\n", "plain", "s p", "a,\"b c"]

    /// RFC 4180, read on UTF-8 bytes (independent of Swift's Characters).
    static func parse(_ text: String) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field: [UInt8] = []
        var quoted = false, i = 0
        let b = Array(text.utf8)
        func endField() {
            row.append(String(decoding: field, as: UTF8.self))
            field = []
        }
        while i < b.count {
            let c = b[i]
            if quoted {
                if c == UInt8(ascii: "\"") {
                    if i + 1 < b.count, b[i + 1] == UInt8(ascii: "\"") {
                        field.append(c)
                        i += 1
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(c)
                }
            } else if c == UInt8(ascii: "\""), field.isEmpty {
                quoted = true
            } else if c == UInt8(ascii: ",") {
                endField()
            } else if c == UInt8(ascii: "\n") {
                endField()
                rows.append(row)
                row = []
            } else if c == UInt8(ascii: "\r"), i + 1 < b.count, b[i + 1] == UInt8(ascii: "\n") {
                // CRLF line end outside quotes
            } else {
                field.append(c)
            }
            i += 1
        }
        if !field.isEmpty || !row.isEmpty {
            endField()
            rows.append(row)
        }
        return rows
    }

    @Test("a CSV row with a hostile comm parses back to the same fields", arguments: HostileNameTests.names)
    func csvRoundTrip(name: String) throws {
        var r = GoldenScenario.report()
        r.target.comm = name
        r.host = name
        let rows = Self.parse(CSVRenderer.header + CSVRenderer.rows(r, perThread: false))
        try #require(rows.count == 2, "\(rows)")
        #expect(rows[1].count == CSVRenderer.columns.count)
        let comm = try #require(CSVRenderer.columns.firstIndex(of: "comm"))
        let host = try #require(CSVRenderer.columns.firstIndex(of: "host"))
        #expect(rows[1][comm].unicodeScalars.elementsEqual(name.unicodeScalars))
        #expect(rows[1][host].unicodeScalars.elementsEqual(name.unicodeScalars))
    }

    @Test("quote() quotes on scalars and doubles every quote scalar")
    func quoteScalars() {
        for name in Self.names {
            let q = CSVRenderer.quote(name)
            let needs = name.unicodeScalars.contains { ",\" \r\n".unicodeScalars.contains($0) }
            #expect(q.unicodeScalars.first == (needs ? "\"" : name.unicodeScalars.first), "\(name.debugDescription)")
            let quotesIn = name.unicodeScalars.filter { $0 == "\"" }.count
            let quotesOut = q.unicodeScalars.filter { $0 == "\"" }.count
            #expect(quotesOut == quotesIn * 2 + (needs ? 2 : 0), "\(name.debugDescription) -> \(q.debugDescription)")
        }
    }

    /// Reads a label value back as the Prometheus text parser does.
    static func unescape(_ s: String.UnicodeScalarView.SubSequence) -> (value: String, consumed: Int)? {
        var out = String.UnicodeScalarView()
        var it = s.makeIterator()
        var consumed = 0
        while let u = it.next() {
            consumed += 1
            if u == "\"" { return (String(out), consumed) }
            if u == "\n" { return nil }  // a raw line feed ends the sample: the file is broken
            if u == "\\" {
                guard let e = it.next() else { return nil }
                consumed += 1
                switch e {
                case "n": out.append("\n")
                case "\\": out.append("\\")
                case "\"": out.append("\"")
                default: return nil
                }
            } else {
                out.append(u)
            }
        }
        return nil
    }

    @Test(
        "OpenMetrics label values with hostile names stay on one line and read back", arguments: HostileNameTests.names)
    func openMetricsLabel(name: String) throws {
        var r = GoldenScenario.report()
        r.target.comm = name
        let text = OpenMetricsRenderer.render(r)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let samples = lines.filter { !$0.hasPrefix("#") && !$0.isEmpty }
        #expect(samples.allSatisfy { $0.hasPrefix("thief_") }, "a sample line was split by the name")
        let first = try #require(samples.first)
        // Found on scalars: the marker's closing quote may combine with the name's first scalar.
        let scalars = Array(first.unicodeScalars), marker = Array("comm=\"".unicodeScalars)
        let at = try #require(
            (0...(scalars.count - marker.count)).first { Array(scalars[$0..<($0 + marker.count)]) == marker })
        var tail = String.UnicodeScalarView()
        tail.append(contentsOf: scalars[(at + marker.count)...])
        let (value, _) = try #require(Self.unescape(tail[...]))
        #expect(
            value.unicodeScalars.elementsEqual(name.unicodeScalars),
            "\(value.debugDescription) != \(name.debugDescription)")
    }

    @Test("esc() escapes the three characters on scalars")
    func escScalars() {
        #expect(OpenMetricsRenderer.esc("a\r\nb").unicodeScalars.elementsEqual("a\r\\nb".unicodeScalars))
        #expect(OpenMetricsRenderer.esc("x\"\u{301}").unicodeScalars.elementsEqual("x\\\"\u{301}".unicodeScalars))
        #expect(OpenMetricsRenderer.esc("\\\u{301}").unicodeScalars.elementsEqual("\\\\\u{301}".unicodeScalars))
    }
}

@Suite("OpenMetrics: a fixed bucket set")
struct OpenMetricsBucketTests {
    static func buckets(_ text: String, _ family: String) -> [(le: String, count: UInt64)] {
        text.split(separator: "\n").filter { $0.hasPrefix("thief_\(family)_bucket{") }.map { line in
            let le = line.range(of: "le=\"").map { String(line[$0.upperBound...].prefix { $0 != "\"" }) } ?? "?"
            return (le, UInt64(line.split(separator: " ").last ?? "") ?? .max)
        }
    }

    static func report(_ slices: [UInt64]) -> Report {
        let a = Window(windowStart: W)
        a.addThread(tid: 1, tgid: 1, comm: "x")
        var t = W
        for d in slices {
            a.fold(Record(kind: .slice, ts: t + d, start: t, dur: d, tid: 1, tgid: 1))
            t += d
        }
        a.close(at: t + 1, open: [])
        return a.report(meta(pid: 1, comm: "x"))
    }

    @Test("every scrape has the same le labels, whatever the data")
    func stableLabels() {
        let shapes: [[UInt64]] = [
            [], [500], [3 * us, 3 * us], [700, 1500, 3 * ms, 2_000_000 * ms], [90_000_000 * ms],
        ]
        let label = shapes.map { s in
            Self.buckets(OpenMetricsRenderer.render(Self.report(s)), "on_core_slice_seconds").map(\.le)
        }
        #expect(label[0].count == OpenMetricsRenderer.bucketBounds.count + 1)
        #expect(label[0].last == "+Inf")
        #expect(Set(label[0]).count == label[0].count, "duplicate le labels")
        for l in label { #expect(l == label[0]) }
        for fam in ["on_core_slice_seconds", "runnable_wait_episode_seconds"] {
            #expect(Self.buckets(OpenMetricsRenderer.render(Self.report([])), fam).map(\.le) == label[0])
        }
    }

    @Test(
        "bucket counts are cumulative counts of episodes at or under each bound",
        arguments: [
            [UInt64](), [500, 999], [700, 1500, 3 * us, 3 * ms, 40 * ms, 2_000_000 * ms], [90_000_000 * ms, 5 * us],
        ])
    func cumulative(slices: [UInt64]) throws {
        let r = Self.report(slices)
        let b = Self.buckets(OpenMetricsRenderer.render(r), "on_core_slice_seconds")
        try #require(b.count == OpenMetricsRenderer.bucketBounds.count + 1)
        for (i, high) in OpenMetricsRenderer.bucketBounds.enumerated() {
            // The report's buckets are [low, high): an episode counts at every bound above it.
            let expected = UInt64(slices.filter { $0 < high }.count)
            #expect(b[i].count == expected, "le=\(b[i].le)")
        }
        #expect(b.last?.count == UInt64(slices.count))
    }
}
