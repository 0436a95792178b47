import ThiefCore

/// The run as a Perfetto trace (protobuf, `.pftrace`), written as the
/// events come: per-CPU ftrace bundles of synthesized `sched_switch` events
/// (the target's slices, and the tasks that ran while it waited), its hard
/// IRQs and softirqs, `sched_waking` for its wake-ups, system vectors on a
/// track per CPU, and a track of thief's own (the window, interval
/// boundaries, lost events); the process tree at the end. Live runs
/// (`--trace`) and replays of recordings (`thief report --format perfetto`)
/// feed it the same events, so both write the same trace.
public final class PerfettoTrace {
    let header: RunHeader
    let write: ([UInt8]) throws -> Void
    /// Bundles flush at this many events: bounded memory, one write per bundle.
    static let bundleEvents = 1024
    static let maxNames = 100_000

    var pending: [Int: (bundle: ProtoMessage, count: Int)] = [:]
    var names: [UInt32: String] = [:]
    var tgids: [UInt32: UInt32] = [:]
    var tracks: Set<UInt64> = []
    var error: Error?
    public private(set) var bytesWritten = 0

    public init(header: RunHeader, write: @escaping ([UInt8]) throws -> Void) throws {
        self.header = header
        self.write = write
        for s in header.seeds { name(s.tid, tgid: s.tgid, s.comm) }
        try emit(clockSnapshot())
    }

    /// CLOCK_MONOTONIC (the report's clock) to CLOCK_BOOTTIME (ftrace's, in Perfetto).
    func boot(_ ts: UInt64) -> UInt64 { ts &+ (header.bootOffsetNs ?? 0) }

    func name(_ tid: UInt32, tgid: UInt32, _ comm: String) {
        guard tid != 0, names.count < Self.maxNames || names[tid] != nil else { return }
        if !comm.isEmpty { names[tid] = comm }
        if tgid != 0 { tgids[tid] = tgid }
    }

    func comm(_ tid: UInt32) -> String { tid == 0 ? "swapper" : names[tid] ?? "" }

    // MARK: Packets

    func emit(_ packet: ProtoMessage) throws {
        var trace = ProtoMessage()
        trace.message(PF.Trace.packet, packet)
        bytesWritten += trace.bytes.count
        try write(trace.bytes)
    }

    /// Errors in the middle of the stream surface at `finish`.
    func emitLater(_ packet: ProtoMessage) {
        guard error == nil else { return }
        do { try emit(packet) } catch { self.error = error }
    }

    func clockSnapshot() -> ProtoMessage {
        var p = ProtoMessage()
        p.message(PF.Packet.clockSnapshot) { s in
            for (id, ts) in [
                (PF.Clock.boottime, boot(header.runStart)), (PF.Clock.monotonic, header.runStart),
                (PF.Clock.realtime, header.startEpochNs),
            ] {
                s.message(PF.Snapshot.clocks) { c in
                    c.uint(PF.Clock.id, id)
                    c.uint(PF.Clock.timestamp, ts)
                }
            }
            s.uint(PF.Snapshot.primary, PF.Clock.boottime)
        }
        p.uint(PF.Packet.sequenceID, 1)
        p.uint(PF.Packet.sequenceFlags, 1)
        return p
    }

    /// One ftrace event on `cpu`'s bundle.
    func ftrace(cpu: UInt16, ts: UInt64, pid: UInt32, _ field: Int, _ body: (inout ProtoMessage) -> Void) {
        var ev = ProtoMessage()
        ev.uint(PF.Ftrace.timestamp, boot(ts))
        ev.uint(PF.Ftrace.pid, UInt64(pid))
        ev.message(field, body)
        var slot = pending[Int(cpu)] ?? (ProtoMessage(), 0)
        slot.bundle.message(PF.Bundle.event, ev)
        slot.count += 1
        pending[Int(cpu)] = slot
        if slot.count >= Self.bundleEvents { flush(cpu: Int(cpu)) }
    }

    func flush(cpu: Int) {
        guard let slot = pending.removeValue(forKey: cpu), slot.count > 0 else { return }
        var p = ProtoMessage()
        p.message(PF.Packet.ftraceEvents) { b in
            b.uint(PF.Bundle.cpu, UInt64(cpu))
            b.append(raw: slot.bundle.bytes)
        }
        p.uint(PF.Packet.sequenceID, 1)
        emitLater(p)
    }
}
