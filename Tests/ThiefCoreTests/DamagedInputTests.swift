import Foundation
import Testing
import ThiefGate
import ThiefReport

@testable import ThiefCore

/// Input that cannot be true (docs/recordings.md): a recording whose records
/// claim more time than the run had is refused in one line; a report with
/// any value at its largest goes through advice, every renderer and a gate
/// without a trap.
@Suite("Damaged input")
struct DamagedInputTests {
    static func fixture(_ name: String) throws -> URL {
        let dir = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        return dir.appendingPathComponent(name)
    }

    @Test("report-overflow.thief (six bytes changed: a 2^63 ns local timer) is refused in one line")
    func overflowFixture() throws {
        let data = try Data(contentsOf: try Self.fixture("report-overflow.thief"))
        do {
            _ = try TraceFile.parse(Array(data), name: "report-overflow.thief")
            Issue.record("a recording with an interrupt longer than the run was read")
        } catch {
            let message = "\(error)"
            #expect(!message.contains("\n"))
            #expect(message.contains("report-overflow.thief: corrupt: record "))
            #expect(message.contains("(interrupt) claims 92233720") && message.contains("longer than the recorded run"))
        }
    }

    @Test("a record claiming more than the run, in each kind that carries a duration, is refused; up to it, read")
    func claims() throws {
        let h = RunHeader(
            version: "0.1.0", host: "h", kernel: "k", pid: 10, comm: "victim", command: nil,
            runStart: W, startEpochNs: 1_700_000_000_000_000_000, attach: "tp_btf", programs: 28,
            seeds: [.init(tid: 10, tgid: 10, comm: "victim")])
        let t = RunTrailer(
            end: W + 10 * ms, endReason: "duration", exitStatus: nil, lostEvents: 0, missedSwitchEvents: 0,
            open: [], untouched: [:], names: [:])
        // Records may start up to 1 s before the window: the longest claim is that plus the window.
        let span = 10 * ms + 1_000_000_000
        func file(_ dur: UInt64) throws -> [[UInt8]] {
            let events: [Event] = [
                .slice(SliceEnded(tid: 10, tgid: 10, cpu: 0, start: W, end: W + ms, ran: dur, next: .other)),
                .steal(
                    Steal(
                        victim: 10, cpu: 0, start: W, end: W + ms, duration: dur, pid: 9, tgid: 9, kthread: false,
                        comm: Comm("x"))),
                .interrupt(
                    Interrupt(
                        tid: 10, tgid: 10, cpu: 0, start: W, end: W + ms, duration: dur, kind: .systemVector,
                        number: 236, handler: Comm(""))),
                .wait(
                    WaitEnded(
                        tid: 10, tgid: 10, cpu: 0, queueCPU: 0, start: W, end: W + ms,
                        causes: .init(throttled: dur, known: true))),
            ]
            return try events.map { e in
                var r = Record(e)
                let bytes = withUnsafeBytes(of: &r) { Array($0) }
                return try TraceFile.encodeStart(h) + TraceFile.encodeRecords(bytes) + TraceFile.encodeEnd(t)
            }
        }
        for f in try file(span + 1) { #expect(throws: TraceFile.Invalid.self) { try TraceFile.parse(f) } }
        for f in try file(span) { #expect((try? TraceFile.parse(f)) != nil) }
        var untouched = t
        untouched.untouched = [10: span + 1]
        #expect(throws: TraceFile.Invalid.self) {
            try TraceFile.parse(try TraceFile.encodeStart(h) + TraceFile.encodeEnd(untouched))
        }
    }

    @Test("every number of a report at its largest: advice, every renderer and a gate, no trap")
    func largest() throws {
        let golden = try Data(contentsOf: try Self.fixture("report.golden.json"))
        let report = try Self.maximized(golden)
        var r = report
        r.advice = Advisor.advise(r, all: true)
        #expect(!(r.advice ?? []).isEmpty)
        for a in r.advice ?? [] { #expect((try? RuleParser.rule(a.verify)) != nil, "\(a.verify)") }
        _ = TextRenderer.render(r)
        _ = CSVRenderer.rows(r, perThread: true, perProcess: true)
        _ = OpenMetricsRenderer.render(r)
        _ = HTMLRenderer.render(r)
        _ = try JSONRenderer.render(r)
        let rules = ((r.advice ?? []).map(\.verify) + ["runnable_wait.p99 > 200us", "on_core.total > 50%"])
            .compactMap { try? RuleParser.rule($0) }
        let gate = Gate(rules: rules, regressions: try RuleParser.regressions("runnable_wait.p99=20%"), baseline: [r])
        if let result = try? gate.judge([r]) {
            _ = VerdictRenderer.render(result)
            _ = JUnitRenderer.render(result, reports: [r])
        }
    }

    /// The JSON report with every integer at the largest value its field
    /// takes (UInt64.max, else Int64.max, UInt32.max, UInt16.max, 255).
    static func maximized(_ json: Data) throws -> Report {
        var obj = try JSONSerialization.jsonObject(with: json)
        var narrowed: [String: Int] = [:]
        let candidates: [NSNumber] = [
            NSNumber(value: UInt64.max), NSNumber(value: Int64.max), NSNumber(value: UInt32.max),
            NSNumber(value: UInt16.max), NSNumber(value: 255),
        ]
        for _ in 0..<2000 {
            let text = try JSONSerialization.data(withJSONObject: obj)
            do {
                return try JSONDecoder().decode(Report.self, from: text)
            } catch let DecodingError.dataCorrupted(ctx) {
                let key = ctx.codingPath.map(\.stringValue).joined(separator: ".")
                let step = (narrowed[key] ?? 0) + 1
                guard step < candidates.count else { throw DecodingError.dataCorrupted(ctx) }
                narrowed[key] = step
            } catch let DecodingError.typeMismatch(_, ctx) {
                let key = ctx.codingPath.map(\.stringValue).joined(separator: ".")
                guard narrowed[key] != candidates.count else { throw DecodingError.typeMismatch(Int.self, ctx) }
                narrowed[key] = candidates.count  // not a number field: left as it was
            }
            obj = setIntegers(json: try JSONSerialization.jsonObject(with: json), path: "") { path in
                let step = narrowed[path] ?? 0
                return step < candidates.count ? candidates[step] : nil
            }
        }
        throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "no decodable maximum"))
    }

    static func setIntegers(json: Any, path: String, _ value: (String) -> NSNumber?) -> Any {
        let join = { (k: String) in path.isEmpty ? k : path + "." + k }
        if let d = json as? [String: Any] {
            return d.reduce(into: [String: Any]()) {
                $0[$1.key] = setIntegers(json: $1.value, path: join($1.key), value)
            }
        }
        if let a = json as? [Any] {
            return a.enumerated().map { setIntegers(json: $1, path: join("Index \($0)"), value) }
        }
        if let n = json as? NSNumber, String(cString: n.objCType) != "c", n.doubleValue == n.doubleValue.rounded() {
            return value(path) ?? json
        }
        return json
    }
}
