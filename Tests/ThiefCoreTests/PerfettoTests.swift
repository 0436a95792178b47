import Foundation
import Testing
import ThiefCore

@testable import ThiefReport

/// The Perfetto trace writer: the protobuf wire format, and the trace of the
/// committed recording byte for byte (its content is checked against the
/// JSON report with Perfetto's own protos by scripts/check-perfetto.py in the
/// live tests).
@Suite("Perfetto trace")
struct PerfettoTests {
    static func render(_ c: TraceFile.Contents) throws -> [UInt8] {
        var out: [UInt8] = []
        let trace = try PerfettoTrace(header: c.header) { out += $0 }
        let reports = Replay.reports(c, interval: nil, observer: { trace.consume($0) })
        try trace.finish(
            end: c.trailer.end, lostEvents: c.trailer.lostEvents, worstWaits: reports.last?.worstWaits ?? [])
        return out
    }

    @Test("varints, negative ints, strings and nested messages as protobuf encodes them")
    func wire() {
        var m = ProtoMessage()
        m.uint(1, 300)
        #expect(m.bytes == [0x08, 0xac, 0x02])
        var n = ProtoMessage()
        n.int(2, -1)
        #expect(n.bytes == [0x10] + [UInt8](repeating: 0xff, count: 9) + [0x01])
        var s = ProtoMessage()
        s.string(3, "ab")
        #expect(s.bytes == [0x1a, 0x02, 0x61, 0x62])
        var outer = ProtoMessage()
        outer.message(4) { $0.uint(1, 1) }
        #expect(outer.bytes == [0x22, 0x02, 0x08, 0x01])
    }

    @Test("the recording's trace: golden bytes, the same on every replay, a clock snapshot first")
    func golden() throws {
        let c = try CaptureGoldenTests.contents()
        let a = try Self.render(c), b = try Self.render(c)
        #expect(a == b)
        // Trace.packet (field 1, length-delimited), whose first field is the clock snapshot (6).
        #expect(a.first == 0x0a && a.count > 1000)
        let name = "competitor.golden.pftrace"
        if GoldenTests.updating {
            try Data(a).write(to: GoldenTests.sourceFixtures.appendingPathComponent(name), options: .atomic)
            return
        }
        let dir = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        let expected = try #require(try? Data(contentsOf: dir.appendingPathComponent(name)), "missing \(name)")
        #expect(Data(a) == expected, "\(name) differs (THIEF_UPDATE_GOLDEN=1 to regenerate, then review)")
    }

    @Test("a write error in the middle of the stream surfaces at finish")
    func writeError() throws {
        struct Full: Error {}
        let c = try CaptureGoldenTests.contents()
        var calls = 0
        let trace = try PerfettoTrace(header: c.header) { _ in
            calls += 1
            if calls > 1 { throw Full() }
        }
        _ = Replay.reports(c, interval: nil, observer: { trace.consume($0) })
        #expect(throws: Full.self) { try trace.finish(end: c.trailer.end, lostEvents: 0) }
    }
}
