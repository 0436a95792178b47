import Foundation
import Testing

@testable import ThiefCore

/// `thief watch`'s parts that need no kernel: the ring, the capture policy,
/// the capture's recording and its directory.
@Suite("thief watch: ring, policy, capture")
struct WatchCaptureTests {
    static func bytes(_ events: [Event]) -> [UInt8] {
        var out: [UInt8] = []
        for e in events {
            var r = Record(e)
            withUnsafeBytes(of: &r) { out += $0 }
        }
        return out
    }

    static func times(_ bytes: [UInt8]) -> [UInt64] {
        stride(from: 0, to: bytes.count, by: Record.size).map { at in
            bytes.withUnsafeBytes { EventDecoder.time($0.baseAddress! + at) }
        }
    }

    static func slice(_ start: UInt64, _ end: UInt64, tid: UInt32 = 10, next: OffState = .preempted) -> Event {
        .slice(SliceEnded(tid: tid, tgid: 10, cpu: 1, start: start, end: end, ran: 0, next: next))
    }

    @Test("the ring keeps the newest records within its budget and says how far back it reaches")
    func ring() {
        let ring = RecordRing(bytes: 4 * Record.size + 10)
        #expect(ring.capacity == 4)
        let evs = (1...6).map { Self.slice(UInt64($0) * 10, UInt64($0) * 10 + 5) }
        let all = Self.bytes(evs)
        // One sample of three records, then three of one.
        all.withUnsafeBytes { raw in
            ring.append(raw.baseAddress!, 3 * Record.size)
            for i in 3..<6 { ring.append(raw.baseAddress! + i * Record.size, Record.size) }
            ring.append(raw.baseAddress!, 7)  // not whole records: ignored
        }
        #expect(ring.count == 4 && ring.dropped == 2)
        #expect(ring.droppedUpTo == 25)
        #expect(Self.times(ring.records(from: 0)) == [35, 45, 55, 65])
        #expect(Self.times(ring.records(from: 50)) == [55, 65])
    }

    @Test("triggers: a new capture, joined inside its after-window (capped), suppressed by cooldown and per hour")
    func policy() {
        var p = CapturePolicy(afterNs: 500, maxAfterNs: 1000)
        p.cooldownNs = 2000
        p.maxPerHour = 2
        #expect(p.fire(at: 10_000) == .start(end: 10_500))
        #expect(p.fire(at: 10_300) == .join(end: 10_800))
        #expect(p.fire(at: 10_700) == .join(end: 11_000))
        #expect(p.closed() == 0)
        #expect(p.fire(at: 11_500) == .suppress)
        #expect(p.fire(at: 11_900) == .suppress)
        #expect(p.fire(at: 12_100) == .start(end: 12_600))
        #expect(p.closed() == 2)
        #expect(p.fire(at: 20_000) == .suppress)  // two captures in the hour already
        #expect(p.fire(at: 10_000 + 3_600_000_000_000) == .start(end: 10_000 + 3_600_000_000_500))
        #expect(p.closed() == 1)
        // A shorter "hour" (the hidden --rate-window the live test uses) lets go the same way.
        var q = CapturePolicy(afterNs: 500, maxAfterNs: 500)
        q.maxPerHour = 1
        q.hourNs = 6000
        #expect(q.fire(at: 1000) == .start(end: 1500))
        #expect(q.closed() == 0)
        #expect(q.fire(at: 6999) == .suppress)
        #expect(q.fire(at: 7000) == .start(end: 7500))
        #expect(q.closed() == 1)
    }

    @Test("a capture's recording: clipped to its window, episodes open at its end closed there, replays to the window")
    func assemble() throws {
        let s = W + 100 * ms, e = s + 20 * ms
        let events: [Event] = [
            Self.slice(s - 30 * ms, s - 20 * ms),  // before the window: left out
            Self.slice(s - 5 * ms, s + 2 * ms),  // began before: clipped to 2 ms
            .offCore(OffCoreEnded(tid: 10, tgid: 10, cpu: 1, start: s + 2 * ms, end: s + 10 * ms, state: .preempted)),
            .wait(WaitEnded(tid: 10, tgid: 10, cpu: 1, queueCPU: 1, start: s + 2 * ms, end: s + 10 * ms)),
            Self.slice(s + 10 * ms, e + 3 * ms),  // open at the end: running since s + 10 ms
            // A second thread off-core across the whole window, then waiting at its end.
            .offCore(
                OffCoreEnded(tid: 11, tgid: 10, cpu: 0, start: s - 50 * ms, end: e + 5 * ms, state: .sleeping)),
            .wait(WaitEnded(tid: 11, tgid: 10, cpu: 0, queueCPU: 0, start: e - 4 * ms, end: e + 5 * ms)),
        ]
        let header = RunHeader(
            version: "0.1.0", host: "h", kernel: "k", pid: 10, comm: "victim", command: nil, runStart: W,
            startEpochNs: 1_700_000_000_000_000_000, attach: "tp_btf", programs: 31,
            seeds: [ThreadSeed(tid: 10, tgid: 10, comm: "victim", state: .sleeping)])
        var a = CaptureAssembler(header: header, start: s, end: e)
        a.names = [10: "victim", 11: "helper"]
        let c = a.assemble(Self.bytes(events))
        #expect(c.recordCount == 3)
        #expect(c.header.runStart == s && c.header.startEpochNs == 1_700_000_000_000_000_000 + 100 * ms)
        #expect(c.header.seeds.map(\.tid) == [10, 11])
        #expect(c.header.seeds.map(\.state) == [.preempted, .sleeping])
        let parsed = try TraceFile.parse(try TraceFile.encode(c))
        let r = try #require(Replay.reports(parsed, interval: nil).last)
        #expect(r.window.durationNs == 20 * ms)
        let t10 = try #require(r.target.threads.first { $0.tid == 10 })
        #expect(t10.onCoreNs == 12 * ms && t10.offCoreNs == 8 * ms && t10.runnableWaitNs == 8 * ms)
        let t11 = try #require(r.target.threads.first { $0.tid == 11 })
        #expect(t11.comm == "helper")
        #expect(t11.onCoreNs == 0 && t11.offCoreNs == 20 * ms && t11.runnableWaitNs == 4 * ms)
    }

    @Test("a wait's breakdown whatever its rank: what held its CPU, from the capture")
    func breakdown() throws {
        let s = W, e = s + 100 * ms
        var events: [Event] = []
        // Ten long waits of thread 10 on CPU 1, then a short one of thread 11 on CPU 0 with a thief in it.
        for i in 0..<10 {
            let at = s + UInt64(i) * 5 * ms
            events.append(.wait(WaitEnded(tid: 10, tgid: 10, cpu: 1, queueCPU: 1, start: at, end: at + 4 * ms)))
        }
        events.append(
            .steal(
                Steal(
                    victim: 11, cpu: 0, start: s + 60 * ms, end: s + 61 * ms, duration: ms, pid: 77, tgid: 77,
                    kthread: false, comm: Comm("backup"))))
        events.append(.wait(WaitEnded(tid: 11, tgid: 10, cpu: 0, queueCPU: 0, start: s + 60 * ms, end: s + 62 * ms)))
        let header = RunHeader(
            version: "0.1.0", host: "h", kernel: "k", pid: 10, comm: "victim", command: nil, runStart: s,
            startEpochNs: 1, attach: "tp_btf", programs: 31, seeds: [])
        let c = CaptureAssembler(header: header, start: s, end: e).assemble(Self.bytes(events))
        #expect(Replay.reports(c, interval: nil).last?.worstWaits?.contains { $0.tid == 11 } == false)
        let b = try #require(CaptureAssembler.breakdown(c, tid: 11, end: s + 62 * ms))
        #expect(b.durationNs == 2 * ms && b.startNs == s + 60 * ms)
        let backup = b.culprits.first { $0.comm == "backup" }
        #expect(backup?.ns == ms && backup?.pid == 77)
        #expect(b.culprits.reduce(0) { $0 + $1.ns } == 2 * ms)
    }

    @Test(
        "the capture directory: written hidden, renamed whole, never over something there; --keep removes only its own")
    func directory() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("watch-dir-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = try CaptureDirectory(root)
        // Something already has the name: the capture takes name-2.
        try FileManager.default.createSymbolicLink(atPath: root + "/thief-a-1", withDestinationPath: "/etc")
        let p = try store.begin("thief-a-1")
        try p.write("report.txt", Array("hello".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: root).filter { $0.hasSuffix(".tmp") }.count == 1)
        let made = try p.commit(as: "thief-a-1")
        #expect(made.name == "thief-a-1-2")
        #expect(try String(contentsOfFile: root + "/thief-a-1-2/report.txt", encoding: .utf8) == "hello")
        #expect(try FileManager.default.contentsOfDirectory(atPath: root).sorted() == ["thief-a-1", "thief-a-1-2"])
        // Swapped for another directory of the same name: not removed.
        try FileManager.default.moveItem(atPath: root + "/thief-a-1-2", toPath: root + "/moved")
        try FileManager.default.createDirectory(atPath: root + "/thief-a-1-2", withIntermediateDirectories: false)
        _ = FileManager.default.createFile(atPath: root + "/thief-a-1-2/report.txt", contents: Data("theirs".utf8))
        #expect(!store.remove(made))
        #expect(FileManager.default.fileExists(atPath: root + "/thief-a-1-2/report.txt"))
        // Its own, with a file added to it: its files go, the added one and the directory stay.
        try FileManager.default.removeItem(atPath: root + "/thief-a-1-2")
        try FileManager.default.moveItem(atPath: root + "/moved", toPath: root + "/thief-a-1-2")
        _ = FileManager.default.createFile(atPath: root + "/thief-a-1-2/added", contents: nil)
        #expect(!store.remove(made))
        #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/thief-a-1-2") == ["added"])
        // A capture abandoned half-way leaves nothing.
        let q = try store.begin("thief-b-1")
        try q.write("capture.thief", [1, 2, 3])
        q.abandon()
        #expect(try FileManager.default.contentsOfDirectory(atPath: root).sorted() == ["thief-a-1", "thief-a-1-2"])
        #expect(CaptureDirectory.namePart("redis server/../x") == "redis_server_.._x")
        #expect(CaptureDirectory.namePart(".hidden") == "_.hidden")
    }
}
