import Foundation
import Testing
@testable import ThiefCore
@testable import ThiefReport

@Suite("CSV and OpenMetrics")
struct CaptureRenderTests {
    @Test("RFC 4180 quoting of hostile names", arguments: [
        ("plain", "plain"), ("a,\"b c", "\"a,\"\"b c\""), ("two words", "\"two words\""), ("q\"", "\"q\"\"\""),
        ("", ""),
    ])
    func quoting(input: String, expected: String) {
        #expect(CSVRenderer.quote(input) == expected)
    }

    @Test("the CSV header is the documented, stable one")
    func header() {
        #expect(CSVRenderer.header.hasPrefix("schema,timestamp,epoch_ns,host,kernel,pid,comm,tid,interval_index,interval_ns,on_core_ns,off_core_ns,"))
        #expect(CSVRenderer.header.hasSuffix(",lost_events,missed_switch_events,end_reason\n"))
        #expect(CSVRenderer.columns.count == 35)
    }

    @Test("rows have as many fields as the header; per-thread rows follow")
    func rows() throws {
        let r = GoldenScenario.report()
        let one = CSVRenderer.rows(r, perThread: false)
        #expect(one.split(separator: "\n").count == 1)
        let all = CSVRenderer.rows(r, perThread: true)
        let lines = all.split(separator: "\n")
        #expect(lines.count == 1 + r.target.threads.count)
        for l in lines { #expect(l.split(separator: ",", omittingEmptySubsequences: false).count == CSVRenderer.columns.count) }
    }

    @Test("OpenMetrics text: typed families, cumulative buckets, +Inf equals count")
    func openMetrics() throws {
        let r = GoldenScenario.report()
        let text = OpenMetricsRenderer.render(r)
        var typed = Set<String>()
        var last: [String: UInt64] = [:]
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") { typed.insert(String(line.split(separator: " ")[2])); continue }
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
        #expect(text.contains("thief_on_core_slice_seconds_bucket{host=\"testhost\",pid=\"1000\",comm=\"victim\",le=\"+Inf\"} \(r.onCore.count)"))
        #expect(text.contains("thief_on_core_slice_seconds_count{host=\"testhost\",pid=\"1000\",comm=\"victim\"} \(r.onCore.count)"))
    }

    @Test("label values are escaped")
    func escaping() {
        #expect(OpenMetricsRenderer.esc("a\"b\\c\nd") == "a\\\"b\\\\c\\nd")
    }
}
