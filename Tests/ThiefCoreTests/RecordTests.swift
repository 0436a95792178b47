import Testing
import ThiefCore

@Suite("Record decoding")
struct RecordTests {
    /// A record laid out by hand as the kernel writes it (little-endian).
    static func bytes(ts: UInt64, start: UInt64, dur: UInt64, type: UInt16, cpu: UInt16, aux: UInt32,
                      tid: UInt32, tgid: UInt32, otherPid: UInt32, otherTgid: UInt32,
                      comm: [UInt8]) -> [UInt8] {
        var b: [UInt8] = []
        func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { b += $0 } }
        put(ts); put(start); put(dur); put(type); put(cpu); put(aux)
        put(tid); put(tgid); put(otherPid); put(otherTgid)
        precondition(b.count == 48)
        b += comm + [UInt8](repeating: 0, count: 16 - comm.count)
        return b
    }

    @Test("the record is 64 bytes, ABI version 1")
    func size() {
        #expect(Record.size == 64)
        #expect(MemoryLayout<Record>.size == 64)
        #expect(Record.abiVersion == 1)
    }

    @Test("decode reads every field at its offset")
    func decodeFields() throws {
        let raw = Self.bytes(ts: 0x1122_3344_5566_7788, start: 1_000_000_123, dur: 42_000, type: 4, cpu: 7,
                             aux: 1, tid: 4242, tgid: 4240, otherPid: 99, otherTgid: 98,
                             comm: Array("kworker/7:1".utf8))
        #expect(raw.count == 64)
        let r = try #require(raw.withUnsafeBytes { Record.decode($0) })
        #expect(r.ts == 0x1122_3344_5566_7788)
        #expect(r.start_ts == 1_000_000_123)
        #expect(r.dur == 42_000)
        #expect(r.type == 4)
        #expect(r.kind == .steal)
        #expect(r.cpu == 7)
        #expect(r.aux == 1)
        #expect(r.tid == 4242)
        #expect(r.tgid == 4240)
        #expect(r.other_pid == 99)
        #expect(r.other_tgid == 98)
        #expect(r.commString == "kworker/7:1")
    }

    @Test("a record built in Swift round-trips through its bytes")
    func roundTrip() throws {
        let r = Record(kind: .irq, ts: 123_456_789, start: 123_000_000, dur: 4_321, cpu: 3, aux: 0,
                       tid: 17, tgid: 16, otherPid: 42, otherTgid: 0, comm: "nvme0q1")
        let raw = withUnsafeBytes(of: r) { Array($0) }
        #expect(raw.count == 64)
        let d = try #require(raw.withUnsafeBytes { Record.decode($0) })
        #expect(d.ts == r.ts && d.start_ts == r.start_ts && d.dur == r.dur)
        #expect(d.type == r.type && d.cpu == r.cpu && d.aux == r.aux)
        #expect(d.tid == r.tid && d.tgid == r.tgid && d.other_pid == r.other_pid && d.other_tgid == r.other_tgid)
        #expect(d.commString == "nvme0q1")
        #expect(d.kind == .irq)
    }

    @Test("decode from an unaligned buffer with trailing bytes")
    func decodeUnaligned() throws {
        let raw = [0xAA] + Self.bytes(ts: 5, start: 4, dur: 1, type: 1, cpu: 1, aux: 0, tid: 2, tgid: 2,
                                      otherPid: 0, otherTgid: 0, comm: Array("x".utf8)) + [0xBB, 0xCC]
        let r = try #require(raw.withUnsafeBytes { Record.decode(UnsafeRawBufferPointer(rebasing: $0[1...])) })
        #expect(r.ts == 5 && r.start_ts == 4 && r.dur == 1 && r.kind == .slice && r.commString == "x")
    }

    @Test("63 bytes (or none) decode to nil")
    func tooShort() {
        let raw = [UInt8](repeating: 0, count: 63)
        #expect(raw.withUnsafeBytes { Record.decode($0) } == nil)
        #expect([UInt8]().withUnsafeBytes { Record.decode($0) } == nil)
    }

    @Test("commString: a full 16-byte comm with no NUL")
    func fullComm() throws {
        let name = Array("abcdefghijklmnop".utf8)
        #expect(name.count == 16)
        let raw = Self.bytes(ts: 1, start: 0, dur: 0, type: 7, cpu: 0, aux: 0, tid: 1, tgid: 1,
                             otherPid: 0, otherTgid: 0, comm: name)
        let r = try #require(raw.withUnsafeBytes { Record.decode($0) })
        #expect(r.commString == "abcdefghijklmnop")
    }

    @Test("commString stops at an embedded NUL")
    func embeddedNul() throws {
        let raw = Self.bytes(ts: 1, start: 0, dur: 0, type: 7, cpu: 0, aux: 0, tid: 1, tgid: 1,
                             otherPid: 0, otherTgid: 0, comm: Array("ab".utf8) + [0] + Array("cd".utf8))
        let r = try #require(raw.withUnsafeBytes { Record.decode($0) })
        #expect(r.commString == "ab")
        #expect(Record(kind: .exec, ts: 1, tid: 1, tgid: 1, comm: "").commString == "")
    }

    @Test("the Swift initializer keeps at most 15 comm bytes (room for the NUL)")
    func initTruncatesComm() {
        let r = Record(kind: .newThread, ts: 1, tid: 1, tgid: 1, comm: "a-very-long-thread-name")
        #expect(r.commString == "a-very-long-thr")
        #expect(r.commString.utf8.count == 15)
    }

    @Test("unknown record types have no kind")
    func unknownKind() {
        var r = Record(kind: .slice, ts: 1, tid: 1, tgid: 1)
        r.type = 0
        #expect(r.kind == nil)
        r.type = 10
        #expect(r.kind == nil)
        for k: UInt16 in 1...9 { r.type = k; #expect(r.kind?.rawValue == k) }
    }

    @Test("softirq and system-vector names")
    func vectorNames() {
        #expect(SoftIRQ.name(0) == "HI")
        #expect(SoftIRQ.name(1) == "TIMER")
        #expect(SoftIRQ.name(3) == "NET_RX")
        #expect(SoftIRQ.name(7) == "SCHED")
        #expect(SoftIRQ.name(9) == "RCU")
        #expect(SoftIRQ.name(10) == "VEC10")
        #expect(SystemVector.name(0) == "local_timer")
        #expect(SystemVector.name(1) == "reschedule")
        #expect(SystemVector.name(10) == "error_apic")
        #expect(SystemVector.name(11) == "vector11")
    }

    @Test("off-core state from the /proc state letter", arguments: [
        (Character("R"), OffState.preempted), ("S", .sleeping), ("I", .sleeping), ("D", .blocked),
        ("T", .other), ("t", .other), ("Z", .other), ("X", .other),
    ])
    func offStateFromProc(letter: Character, state: OffState) {
        #expect(OffState(procState: letter) == state)
    }
}
