import CThiefABI
import Foundation
import Testing
import ThiefReport

@testable import ThiefCore

/// A small deterministic generator (SplitMix64), so a fuzz failure repeats from its seed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("Recordings (.thief files)")
struct TraceFileTests {
    func sample() throws -> [UInt8] {
        let h = RunHeader(
            version: "0.1.0", host: "h", kernel: "k", pid: 10, comm: "victim", command: nil,
            runStart: W, startEpochNs: 1_700_000_000_000_000_000, attach: "tp_btf", programs: 28,
            seeds: [.init(tid: 10, tgid: 10, comm: "victim")])
        var recs: [UInt8] = []
        for i in 0..<5 {
            var r = Record(
                kind: .slice, ts: W + UInt64(i + 1) * ms, start: W + UInt64(i) * ms, dur: ms, tid: 10, tgid: 10)
            withUnsafeBytes(of: &r) { recs += $0 }
        }
        let t = RunTrailer(
            end: W + 10 * ms, endReason: "duration", exitStatus: nil, lostEvents: 0, missedSwitchEvents: 0,
            open: [], untouched: [:], names: [10: "victim"])
        return try TraceFile.encodeStart(h) + TraceFile.encodeRecords(recs) + TraceFile.encodeEnd(t)
    }

    @Test("a recording parses back and replays")
    func roundTrip() throws {
        let c = try TraceFile.parse(try sample())
        #expect(c.recordCount == 5)
        #expect(c.header.seeds.count == 1)
        let r = try #require(Replay.reports(c, interval: nil).first)
        #expect(r.onCore.totalNs == 5 * ms)
        #expect(r.window.startTime == "2023-11-14T22:13:20.000Z")
    }

    @Test("every truncation is a clear error, never a crash")
    func truncated() throws {
        let bytes = try sample()
        for n in 0..<bytes.count {
            #expect(throws: TraceFile.Invalid.self) { try TraceFile.parse(Array(bytes[0..<n])) }
        }
    }

    @Test("corruption is a clear error or a valid parse, never a crash (seeded: THIEF_FUZZ_SEED=N repeats a run)")
    func corrupted() throws {
        let seed =
            ProcessInfo.processInfo.environment["THIEF_FUZZ_SEED"].flatMap { UInt64($0) }
            ?? UInt64.random(in: 0...UInt64.max)
        print("TraceFileTests.corrupted: THIEF_FUZZ_SEED=\(seed)")
        var rng = SplitMix64(seed: seed)
        let bytes = try sample()
        for _ in 0..<2000 {
            var b = bytes
            for _ in 0..<3 { b[Int.random(in: 0..<b.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng) }
            if let c = try? TraceFile.parse(b) { _ = Replay.reports(c, interval: 3 * ms) }
        }
        // Whole records of random fields, every kind: the aggregator's arithmetic.
        for round in 0..<200 {
            var recs: [UInt8] = []
            for _ in 0..<Int.random(in: 1...40, using: &rng) {
                var r = Record(
                    kind: RecordKind(rawValue: UInt16.random(in: 1...9, using: &rng))!,
                    ts: W + UInt64.random(in: 0...(10 * ms), using: &rng),
                    start: Bool.random(using: &rng) ? 0 : UInt64.random(in: 0...UInt64.max, using: &rng),
                    dur: Bool.random(using: &rng)
                        ? UInt64.max - UInt64.random(in: 0...9, using: &rng)
                        : UInt64.random(in: 0...UInt64.max, using: &rng),
                    cpu: UInt16.random(in: 0...UInt16.max, using: &rng),
                    aux: UInt32.random(in: 0...UInt32.max, using: &rng),
                    tid: UInt32.random(in: 9...12, using: &rng), tgid: UInt32.random(in: 0...UInt32.max, using: &rng),
                    otherPid: UInt32.random(in: 0...3, using: &rng), otherTgid: 1, comm: "x")
                withUnsafeBytes(of: &r) { recs += $0 }
            }
            // Refused when a duration is longer than the run; the arithmetic must hold all the same.
            let c = try TraceFile.parse(try Self.recording(records: recs), name: "r", checkValues: false)
            renderAll(Replay.reports(c, interval: nil))
            let parts = Replay.reports(c, interval: UInt64.random(in: 500 * us...(5 * ms), using: &rng))
            if round % 10 == 0 { renderAll(parts) }
        }
    }

    /// Every renderer of every report: none may trap on what a crafted file holds.
    func renderAll(_ reports: [Report]) {
        for r in reports {
            _ = TextRenderer.render(r)
            _ = try? JSONRenderer.render(r)
            _ = CSVRenderer.rows(r, perThread: true)
            _ = OpenMetricsRenderer.render(r)
        }
    }

    static func recording(
        pid: Int32 = 10, runStart: UInt64 = W, startEpochNs: UInt64 = 1_700_000_000_000_000_000,
        records: [UInt8], end: UInt64 = W + 10 * ms, open: [RunTrailer.OpenThread] = [],
        untouched: [UInt32: UInt64] = [:], seeds: [RunHeader.Seed]? = nil, topology: Topology? = nil
    ) throws -> [UInt8] {
        var h = RunHeader(
            version: "0.1.0", host: "h", kernel: "k", pid: pid, comm: "victim", command: nil,
            runStart: runStart, startEpochNs: startEpochNs, attach: "tp_btf", programs: 28,
            seeds: seeds ?? [
                .init(tid: 10, tgid: 10, comm: "victim", state: .sleeping), .init(tid: 11, tgid: 10, comm: "b"),
            ],
            onlineCPUs: [0, 1])
        h.interval = 3 * ms
        h.intervalCount = 2
        h.topology = topology
        let t = RunTrailer(
            end: end, endReason: "duration", exitStatus: nil, lostEvents: 0, missedSwitchEvents: 0,
            open: open, untouched: untouched, names: [:])
        return try TraceFile.encodeStart(h) + TraceFile.encodeRecords(records) + TraceFile.encodeEnd(t)
    }

    static func bytes(_ records: [Record]) -> [UInt8] {
        var out: [UInt8] = []
        for var r in records { withUnsafeBytes(of: &r) { out += $0 } }
        return out
    }

    @Test("a replay judges CPU distances by the topology saved in the recording, not this machine's")
    func topologyFromHeader() throws {
        let numa = Topology(cpus: [
            .init(cpu: 0, core: 0, package: 0, siblings: [0], llc: 0, node: 0),
            .init(cpu: 1, core: 0, package: 1, siblings: [1], llc: 1, node: 1),
        ])
        let records = Self.bytes([
            Record(kind: .migrate, ts: W + ms, tid: 10, tgid: 10, otherPid: 0, otherTgid: 1),
            Record(
                .wakeup(
                    Wakeup(
                        tid: 10, tgid: 10, cpu: 1, waking: W + ms, end: W + 2 * ms,
                        waker: Waker(pid: 7, tgid: 7, comm: Comm("w"), kthread: false, context: .task, cpu: 0)))),
            Record(kind: .slice, ts: W + 3 * ms, start: W + 2 * ms, dur: ms, cpu: 1, tid: 10, tgid: 10),
        ])
        let file = try TraceFile.parse(try Self.recording(records: records, topology: numa))
        #expect(file.header.topology == numa)
        let r = try #require(Replay.reports(file, interval: nil).first)
        #expect(r.migrations.byDistance == .init(sameCore: 0, sameLLC: 0, otherLLC: 0, otherNode: 1))
        #expect(r.wakers?.first?.otherNode == 1)
        #expect(r.cpus?.first { $0.cpu == 1 }?.node == 1)
        // Without one (an older recording): distances unknown.
        let old = try TraceFile.parse(try Self.recording(records: records))
        #expect(Replay.reports(old, interval: nil).first?.migrations.byDistance?.unknown == 1)
    }

    @Test("crafted values that used to trap: a negative pid, a clock at its end, durations that overflow a sum")
    func craftedValues() throws {
        // A negative pid in the header.
        let neg = try TraceFile.parse(
            try Self.recording(
                pid: -5,
                records: Self.bytes([
                    Record(kind: .slice, ts: W + ms, start: W, dur: ms, tid: 10, tgid: 10)
                ])))
        renderAll(Replay.reports(neg, interval: nil))
        #expect(Replay.reports(neg, interval: nil).first?.target.pid == -5)

        // A run at the very end of the clock: ts + 1 s and window ends would overflow.
        let top = UInt64.max - 5 * ms
        let late = try TraceFile.parse(
            try Self.recording(
                runStart: top, startEpochNs: .max,
                records: Self.bytes([
                    Record(kind: .slice, ts: top + 2 * ms, start: top + ms, dur: ms, tid: 10, tgid: 10),
                    Record(kind: .offCore, ts: .max, start: top + 2 * ms, tid: 10, tgid: 10),
                ]), end: .max, open: [RunTrailer.OpenThread(tid: 11, tstate(tgid: 10, running: true, onTs: top))]))
        for iv: UInt64? in [nil, 1, ms, 4 * ms, .max] { renderAll(Replay.reports(late, interval: iv)) }

        // Durations whose sums overflow: steals, interrupts and slices of ~2^64 ns, of two sources each.
        var recs: [Record] = []
        for tid: UInt32 in [10, 11] {
            for other: UInt32 in [7, 8] {
                recs.append(
                    Record(
                        kind: .steal, ts: W + ms, start: W, dur: .max, tid: tid, tgid: 10, otherPid: other,
                        otherTgid: other))
                recs.append(Record(kind: .irq, ts: W + ms, dur: .max - 1, aux: 0, tid: tid, tgid: 10, otherPid: other))
                recs.append(Record(kind: .irq, ts: W + ms, dur: .max - 1, aux: 1, tid: tid, tgid: 10, otherPid: other))
            }
            recs.append(Record(kind: .slice, ts: W + 2 * ms, start: W + ms, dur: .max, tid: tid, tgid: 10))
            recs.append(Record(kind: .slice, ts: W + 3 * ms, start: W + 2 * ms, dur: .max, tid: tid, tgid: 10))
        }
        let file = try Self.recording(
            records: Self.bytes(recs), untouched: [12: .max],
            seeds: [.init(tid: 12, tgid: 10, comm: "idle", state: .other)])
        #expect(throws: TraceFile.Invalid.self) { try TraceFile.parse(file) }
        // Refused (docs/recordings.md); the analyses' arithmetic holds all the same.
        let huge = try TraceFile.parse(file, name: "r", checkValues: false)
        for iv: UInt64? in [nil, ms, 3 * ms] { renderAll(Replay.reports(huge, interval: iv)) }
        // A seed state out of range in a crafted header reads as `other`.
        let seed = try JSONDecoder().decode(
            ThreadSeed.self, from: Data(#"{"tid":1,"tgid":1,"comm":"x","state":9}"#.utf8))
        #expect(seed.state == .other)
    }

    @Test("the online CPUs are kept in the header and shown in the report; older recordings have none")
    func cpus() throws {
        #expect(RunHeader.onlineCPUs("0-3,6\n") == [0, 1, 2, 3, 6])
        #expect(RunHeader.onlineCPUs("0\n") == [0])
        #expect(RunHeader.onlineCPUs("3-1") == nil)
        #expect(RunHeader.onlineCPUs("x") == nil)
        let c = try TraceFile.parse(
            try Self.recording(
                records: Self.bytes([
                    Record(kind: .slice, ts: W + ms, start: W, dur: ms, cpu: 1, tid: 10, tgid: 10)
                ])))
        #expect(c.header.cpus == 2)
        #expect(c.header.onlineCPUs == [0, 1])
        let r = try #require(Replay.reports(c, interval: nil).first)
        #expect(r.window.cpusOnline == 2)
        #expect(r.window.cpusSeen == [1])
        #expect(TextRenderer.render(r).contains("CPUs seen: 1 of 2 online"))
        #expect(try JSONRenderer.renderLine(r).contains("\"cpus_online\":2"))
        // The committed fixture predates the field: it loads, and its report has no such key.
        let old = try CaptureGoldenTests.contents()
        #expect(old.header.cpus == nil)
        #expect(try !JSONRenderer.render(Replay.reports(old, interval: nil)[0]).contains("cpus_online"))
    }

    @Test("an interval replay shows the lost/missed counts the live run printed in each interval")
    func intervalCounters() throws {
        var recs: [Record] = []
        for i in 0..<10 { recs.append(Record(kind: .migrate, ts: W + UInt64(i) * ms, tid: 10, tgid: 10)) }
        var h = RunHeader(
            version: "0.1.0", host: "h", kernel: "k", pid: 10, comm: "victim", command: nil,
            runStart: W, startEpochNs: 0, attach: "tp_btf", programs: 28, seeds: [], onlineCPUs: nil)
        h.interval = 100 * us
        var t = RunTrailer(
            end: W + 10 * ms, endReason: "duration", exitStatus: nil, lostEvents: 1000, missedSwitchEvents: 900,
            open: [], untouched: [:], names: [:])
        t.intervals = (0..<50).map { .init(index: $0, lostEvents: UInt64($0) * 10, missedSwitchEvents: UInt64($0) * 9) }
        let c = try TraceFile.parse(
            try TraceFile.encodeStart(h) + TraceFile.encodeRecords(Self.bytes(recs)) + TraceFile.encodeEnd(t))
        let same = Replay.reports(c, interval: 100 * us)
        #expect(same.count == 100)
        for r in same.dropLast() {
            let i = try #require(r.interval?.index)
            // Intervals 50… have no entry in this table: the final counts.
            #expect(r.lostEvents == (i < 50 ? UInt64(i) * 10 : 1000))
            #expect(r.missedSwitchEvents == (i < 50 ? UInt64(i) * 9 : 900))
        }
        #expect(same.last?.lostEvents == 1000)
        // Another interval than the live run's: the counts at its boundaries were not kept.
        #expect(Replay.reports(c, interval: 200 * us).allSatisfy { $0.lostEvents == 1000 })
        // A trailer without the table (an older recording) still decodes.
        let json = try JSONEncoder().encode(
            RunTrailer(
                end: 1, endReason: "x", exitStatus: nil, lostEvents: 3, missedSwitchEvents: 4,
                open: [], untouched: [:], names: [:]))
        #expect(try JSONDecoder().decode(RunTrailer.self, from: json).intervals == nil)
    }

    static let magic: [UInt8] = Array("THIEFREC".utf8)
    static let badInputs: [([UInt8], String)] = [
        (Array("NOTTHIEF".utf8) + [1, 0, 0, 0], "not a thief recording"),
        (magic + [9, 0, 0, 0], "format version 9"),
        (magic + [1, 0, 0, 0, UInt8(ascii: "X"), 0, 0, 0, 0], "unknown frame"),
        (magic + [1, 0, 0, 0, UInt8(ascii: "R"), 0, 0, 0, 0], "records outside"),
    ]

    @Test("bad magic, version and frames are named", arguments: TraceFileTests.badInputs)
    func named(bytes: [UInt8], message: String) {
        do {
            _ = try TraceFile.parse(bytes, name: "x.thief")
            Issue.record("parsed")
        } catch let e as TraceFile.Invalid {
            #expect(e.description.contains(message), "\(e.description)")
            #expect(e.description.hasPrefix("x.thief: "))
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test("RFC 3339 formatting")
    func rfc3339() {
        #expect(RFC3339.format(epochNs: 0) == "1970-01-01T00:00:00.000Z")
        #expect(RFC3339.format(epochNs: 1_795_601_481_480_482_816) == "2026-11-25T10:11:21.480Z")
    }
}
