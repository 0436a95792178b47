import CThiefABI

/// Raw records to events: the one place that knows the record layouts. The
/// live stream is in the current layout (ABI 2); recordings name theirs, and
/// version 1 (shared fields whose meaning changed with the type) is still read.
public struct EventDecoder: Sendable {
    public let abiVersion: Int

    public init(abiVersion: Int = Record.abiVersion) {
        self.abiVersion = abiVersion
    }

    /// The ABI versions this thief reads.
    public static let readable = [1, Record.abiVersion]

    /// The event in the record at `p` (Record.size bytes); nil for an unknown type.
    @inline(__always)
    public func decode(_ p: UnsafeRawPointer) -> Event? {
        abiVersion == 1 ? Self.decodeV1(p) : Self.decode(p.loadUnaligned(as: Record.self))
    }

    /// The time of the record at `p`: at offset 0 in every layout.
    public static func time(_ p: UnsafeRawPointer) -> UInt64 {
        p.loadUnaligned(as: UInt64.self)
    }

    @inline(__always)
    public static func decode(_ r: Record) -> Event? {
        switch Int(r.type) {
        case Int(THIEF_REC_SLICE.rawValue):
            let s = r.slice
            return .slice(
                SliceEnded(
                    tid: r.tid, tgid: r.tgid, cpu: r.cpu, start: s.start_ts, end: r.ts, ran: s.ran_ns,
                    next: OffState(kernel: s.next_state), contended: s.contended_ns, waiter: s.waiter))
        case Int(THIEF_REC_OFFCORE.rawValue):
            return .offCore(
                OffCoreEnded(
                    tid: r.tid, tgid: r.tgid, cpu: r.cpu, start: r.offcore.start_ts, end: r.ts,
                    state: OffState(kernel: r.offcore.state)))
        case Int(THIEF_REC_WAIT.rawValue):
            return .wait(
                WaitEnded(
                    tid: r.tid, tgid: r.tgid, cpu: r.cpu, queueCPU: r.wait.queue_cpu, start: r.wait.start_ts,
                    end: r.ts))
        case Int(THIEF_REC_STEAL.rawValue):
            let s = r.steal
            return .steal(
                Steal(
                    victim: r.tid, cpu: r.cpu, start: r.ts &- s.dur, end: r.ts, duration: s.dur, pid: s.pid,
                    tgid: s.tgid, kthread: s.flags & THIEF_F_KTHREAD != 0, comm: Comm(s.comm)))
        case Int(THIEF_REC_IRQ.rawValue):
            let i = r.irq
            return .interrupt(
                Interrupt(
                    tid: r.tid, tgid: r.tgid, cpu: r.cpu, start: i.start_ts, end: r.ts, duration: i.self_ns,
                    kind: IRQKind(rawValue: i.kind), number: i.number, handler: Comm(i.name)))
        case Int(THIEF_REC_MIGRATE.rawValue):
            let m = r.migrate
            return .migration(
                Migration(
                    tid: r.tid, tgid: r.tgid, time: r.ts, from: m.from_cpu, to: m.to_cpu,
                    kind: MigrationKind(kernel: m.kind)))
        case Int(THIEF_REC_NEW_THREAD.rawValue):
            return .threadBorn(change(r))
        case Int(THIEF_REC_EXEC.rawValue):
            return .threadExec(change(r))
        case Int(THIEF_REC_EXIT.rawValue):
            return .threadExit(change(r))
        default:
            return nil
        }
    }

    private static func change(_ r: Record) -> ThreadChange {
        ThreadChange(tid: r.tid, tgid: r.tgid, time: r.ts, parent: r.task.parent, comm: Comm(r.task.comm))
    }
}
