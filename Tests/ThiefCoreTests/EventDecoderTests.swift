import Testing

@testable import ThiefCore

@Suite("Event decoding")
struct EventDecoderTests {
    /// A record laid out by hand as the kernel writes it (little-endian).
    static func bytes(
        ts: UInt64, start: UInt64, dur: UInt64, type: UInt16, cpu: UInt16, aux: UInt32,
        tid: UInt32, tgid: UInt32, otherPid: UInt32, otherTgid: UInt32,
        comm: [UInt8]
    ) -> [UInt8] {
        var b: [UInt8] = []
        func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { b += $0 } }
        put(ts)
        put(start)
        put(dur)
        put(type)
        put(cpu)
        put(aux)
        put(tid)
        put(tgid)
        put(otherPid)
        put(otherTgid)
        precondition(b.count == 48)
        b += comm + [UInt8](repeating: 0, count: 16 - comm.count)
        return b
    }

    /// A record of the ABI 2/3 layout laid out by hand: the head, then the type's fields.
    static func bytesV2(
        ts: UInt64, type: UInt16, cpu: UInt16, tid: UInt32, tgid: UInt32, aux: UInt32 = 0, body: [UInt8]
    ) -> [UInt8] {
        var b: [UInt8] = []
        func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { b += $0 } }
        put(ts)
        put(type)
        put(cpu)
        put(tid)
        put(tgid)
        put(aux)
        precondition(b.count == 24 && body.count <= 40)
        return b + body + [UInt8](repeating: 0, count: 40 - body.count)
    }

    static func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }

    static func decode(_ raw: [UInt8], abi: Int = Record.abiVersion) -> Event? {
        raw.withUnsafeBytes { EventDecoder(abiVersion: abi).decode($0.baseAddress!) }
    }

    @Test("the record is 64 bytes, ABI version 3; versions 1 and 2 recordings stay readable")
    func size() {
        #expect(Record.size == 64)
        #expect(MemoryLayout<Record>.size == 64)
        #expect(Record.abiVersion == 3)
        #expect(EventDecoder.readable == [1, 2, 3])
    }

    @Test("a wait: ABI 3 has its queue in the head and its causes; ABI 2 its queue in the union, no causes")
    func decodeWait() throws {
        let v3 =
            Self.le(UInt64(1_000)) + Self.le(UInt64(11)) + Self.le(UInt64(22)) + Self.le(UInt64(33))
            + Self.le(UInt64(44))
        let raw3 = Self.bytesV2(ts: 5_000, type: 3, cpu: 1, tid: 7, tgid: 6, aux: 3, body: v3)
        guard case .wait(let w) = try #require(Self.decode(raw3)) else {
            Issue.record("not a wait")
            return
        }
        #expect(w.start == 1_000 && w.end == 5_000 && w.queueCPU == 3 && w.cpu == 1 && w.tid == 7)
        #expect(w.causes == WaitCauses.Measured(targets: 11, idle: 22, steal: 33, throttled: 44, known: true))
        let v2 = Self.le(UInt64(1_000)) + Self.le(UInt32(3)) + Self.le(UInt32(0))
        let raw2 = Self.bytesV2(ts: 5_000, type: 3, cpu: 1, tid: 7, tgid: 6, body: v2)
        guard case .wait(let o) = try #require(Self.decode(raw2, abi: 2)) else {
            Issue.record("not a wait")
            return
        }
        #expect(o.start == 1_000 && o.queueCPU == 3 && !o.causes.known)
        #expect(Self.decode(Self.bytesV2(ts: 1, type: 10, cpu: 0, tid: 1, tgid: 1, body: []), abi: 2) == nil)
    }

    @Test("a waker, an identity and a work item at their ABI 3 offsets")
    func decodeV3Types() throws {
        let waker =
            Self.le(UInt64(900)) + Self.le(UInt32(55)) + Self.le(UInt32(54)) + Self.le(UInt16(1))
            + Self.le(UInt16(2 | 1)) + Self.le(UInt32(0)) + Array("ksoftirqd/1".utf8)
        guard
            case .wakeup(let w) = try #require(
                Self.decode(Self.bytesV2(ts: 1_000, type: 10, cpu: 0, tid: 7, tgid: 6, body: waker)))
        else {
            Issue.record("not a wake-up")
            return
        }
        #expect(w.waking == 900 && w.end == 1_000 && w.latency == 100 && w.cpu == 0 && w.tid == 7)
        #expect(w.waker.pid == 55 && w.waker.tgid == 54 && w.waker.cpu == 1 && w.waker.kthread)
        #expect(w.waker.context == .hardIRQ && w.waker.comm.string == "ksoftirqd/1")
        let ident =
            Self.le(UInt64(4242)) + Self.le(UInt32(1)) + Self.le(Int32(-5)) + Self.le(UInt32(10))
            + Self.le(UInt32(2)) + Self.le(UInt64(0b1010)) + Self.le(UInt64(1))
        guard
            case .identity(let i) = try #require(
                Self.decode(Self.bytesV2(ts: 3, type: 11, cpu: 0, tid: 99, tgid: 98, body: ident)))
        else {
            Issue.record("not an identity")
            return
        }
        #expect(i.pid == 99 && i.tgid == 98 && i.policy == .fifo && i.nice == -5 && i.rtPriority == 10)
        #expect(i.cgroupID == 4242 && i.cpusAllowedCount == 2 && i.allowedCPUs(below: 4) == [1, 3])
        #expect(i.allowedCPUs(below: 128).last == 64)
        let work =
            Self.le(UInt64(0xffff_ffff_8100_0000)) + Self.le(UInt64(700)) + Self.le(UInt32(31))
            + Self.le(UInt32(0)) + Array("kworker/0:2".utf8)
        guard
            case .work(let k) = try #require(
                Self.decode(Self.bytesV2(ts: 2_000, type: 12, cpu: 1, tid: 7, tgid: 0, body: work)))
        else {
            Issue.record("not a work item")
            return
        }
        #expect(k.function == 0xffff_ffff_8100_0000 && k.duration == 700 && k.pid == 31 && k.victim == 7)
        #expect(k.end == 2_000 && k.cpu == 1 && k.comm.string == "kworker/0:2")
    }

    @Test("a steal: every field at its ABI 2 offset")
    func decodeStealV2() throws {
        let body =
            Self.le(UInt64(42_000)) + Self.le(UInt32(99)) + Self.le(UInt32(98)) + Self.le(UInt32(1))
            + Self.le(UInt32(0)) + Array("kworker/7:1".utf8)
        let raw = Self.bytesV2(ts: 0x1122_3344_5566_7788, type: 4, cpu: 7, tid: 4242, tgid: 0, body: body)
        guard case .steal(let s) = try #require(Self.decode(raw)) else {
            Issue.record("not a steal")
            return
        }
        #expect(s.end == 0x1122_3344_5566_7788 && s.start == s.end - 42_000 && s.duration == 42_000)
        #expect(s.cpu == 7 && s.victim == 4242 && s.pid == 99 && s.tgid == 98 && s.kthread)
        #expect(s.comm.string == "kworker/7:1")
    }

    @Test("a slice, an interrupt and a migration at their ABI 2 offsets")
    func decodeOthersV2() throws {
        let slice = Self.bytesV2(
            ts: 5_000, type: 1, cpu: 3, tid: 10, tgid: 9,
            body: Self.le(UInt64(1_000)) + Self.le(UInt64(3_990)) + Self.le(UInt32(2)))
        guard case .slice(let sl) = try #require(Self.decode(slice)) else {
            Issue.record("not a slice")
            return
        }
        #expect(sl.start == 1_000 && sl.end == 5_000 && sl.ran == 3_990 && sl.next == .blocked && sl.cpu == 3)
        let irq = Self.bytesV2(
            ts: 9_000, type: 5, cpu: 1, tid: 10, tgid: 9,
            body: Self.le(UInt64(8_000)) + Self.le(UInt64(700)) + Self.le(UInt32(0)) + Self.le(UInt32(42))
                + Array("nvme0q1".utf8))
        guard case .interrupt(let i) = try #require(Self.decode(irq)) else {
            Issue.record("not an irq")
            return
        }
        #expect(i.kind == .hard && i.number == 42 && i.duration == 700 && i.start == 8_000 && i.name == "nvme0q1")
        let mig = Self.bytesV2(
            ts: 7, type: 6, cpu: 0, tid: 10, tgid: 9,
            body: Self.le(UInt32(1)) + Self.le(UInt32(3)) + Self.le(UInt32(1)))
        guard case .migration(let m) = try #require(Self.decode(mig)) else {
            Issue.record("not a migration")
            return
        }
        #expect(m.from == 1 && m.to == 3 && m.kind == .whileQueued && m.time == 7)
    }

    @Test("ABI 1 records (old recordings) decode to the same events")
    func decodeV1() throws {
        let raw = Self.bytes(
            ts: 0x1122_3344_5566_7788, start: 1_000_000_123, dur: 42_000, type: 4, cpu: 7,
            aux: 1, tid: 4242, tgid: 4240, otherPid: 99, otherTgid: 98,
            comm: Array("kworker/7:1".utf8))
        #expect(raw.count == 64)
        guard case .steal(let s) = try #require(Self.decode(raw, abi: 1)) else {
            Issue.record("not a steal")
            return
        }
        #expect(s.end == 0x1122_3344_5566_7788 && s.start == 1_000_000_123 && s.duration == 42_000)
        #expect(s.cpu == 7 && s.victim == 4242 && s.pid == 99 && s.tgid == 98 && s.kthread)
        #expect(s.comm.string == "kworker/7:1")
        let mig = Self.bytes(
            ts: 5, start: 0, dur: 0, type: 6, cpu: 0, aux: 2, tid: 2, tgid: 2,
            otherPid: 1, otherTgid: 0, comm: [])
        guard case .migration(let m) = try #require(Self.decode(mig, abi: 1)) else {
            Issue.record("no")
            return
        }
        #expect(m.from == 1 && m.to == 0 && m.kind == .whileRunning)
    }

    @Test("an event encoded by Record(_:) decodes to itself")
    func roundTrip() throws {
        let r = Record(
            kind: .irq, ts: 123_456_789, start: 123_000_000, dur: 4_321, cpu: 3, aux: 0,
            tid: 17, tgid: 16, otherPid: 42, otherTgid: 0, comm: "nvme0q1")
        let raw = withUnsafeBytes(of: r) { Array($0) }
        #expect(raw.count == 64)
        guard case .interrupt(let i) = try #require(Self.decode(raw)) else {
            Issue.record("not an irq")
            return
        }
        #expect(i.end == 123_456_789 && i.start == 123_000_000 && i.duration == 4_321 && i.cpu == 3)
        #expect(i.kind == .hard && i.tid == 17 && i.tgid == 16 && i.number == 42 && i.handler.string == "nvme0q1")
    }

    @Test("a full 16-byte comm with no NUL; a comm stops at an embedded NUL")
    func comms() throws {
        let full = Self.bytes(
            ts: 1, start: 0, dur: 0, type: 7, cpu: 0, aux: 0, tid: 1, tgid: 1,
            otherPid: 0, otherTgid: 0, comm: Array("abcdefghijklmnop".utf8))
        guard case .threadBorn(let c) = try #require(Self.decode(full, abi: 1)) else {
            Issue.record("no")
            return
        }
        #expect(c.comm.string == "abcdefghijklmnop")
        let nul = Self.bytes(
            ts: 1, start: 0, dur: 0, type: 9, cpu: 0, aux: 0, tid: 1, tgid: 1,
            otherPid: 0, otherTgid: 0, comm: Array("ab".utf8) + [0] + Array("cd".utf8))
        guard case .threadExec(let e) = try #require(Self.decode(nul, abi: 1)) else {
            Issue.record("no")
            return
        }
        #expect(e.comm.string == "ab")
    }

    @Test("Comm keeps at most 15 bytes (room for the NUL)")
    func commTruncates() {
        let c = Comm("a-very-long-thread-name")
        #expect(c.string == "a-very-long-thr")
        #expect(c.string.utf8.count == 15)
    }

    @Test("unknown record types decode to nil")
    func unknownKind() {
        var r = Record(kind: .slice, ts: 1, tid: 1, tgid: 1)
        for t: UInt16 in [0, 13, 77] {
            r.type = t
            #expect(withUnsafeBytes(of: r) { EventDecoder().decode($0.baseAddress!) } == nil)
        }
        for t: UInt16 in 1...12 {
            r.type = t
            #expect(withUnsafeBytes(of: r) { EventDecoder().decode($0.baseAddress!) } != nil)
        }
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

    @Test(
        "off-core state from the /proc state letter",
        arguments: [
            (Character("R"), OffState.preempted), ("S", .sleeping), ("I", .sleeping), ("D", .blocked),
            ("T", .other), ("t", .other), ("Z", .other), ("X", .other),
        ])
    func offStateFromProc(letter: Character, state: OffState) {
        #expect(OffState(procState: letter) == state)
    }
}
