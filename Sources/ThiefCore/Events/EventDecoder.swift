import CThiefABI

/// Raw records to events: the one place that knows the record layouts. The
/// live stream is in the current layout (ABI 3); recordings name theirs:
/// version 2 differs only in the wait (no causes, its queue in the union),
/// version 1 (shared fields whose meaning changed with the type) is still read.
public struct EventDecoder: Sendable {
    public let abiVersion: Int

    public init(abiVersion: Int = Record.abiVersion) {
        self.abiVersion = abiVersion
    }

    /// The ABI versions this thief reads.
    public static let readable = [1, 2, Record.abiVersion]

    /// The event in the record at `p` (Record.size bytes); nil for an unknown type.
    @inline(__always)
    public func decode(_ p: UnsafeRawPointer) -> Event? {
        switch abiVersion {
        case 1: Self.decodeV1(p)
        case 2: Self.decodeV2(p.loadUnaligned(as: Record.self))
        default: Self.decode(p.loadUnaligned(as: Record.self))
        }
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
            let w = r.wait
            let causes = WaitCauses.Measured(
                targets: w.targets_ns, idle: w.idle_ns, steal: w.steal_ns, throttled: w.throttled_ns,
                known: w.start_ts != 0)
            return .wait(
                WaitEnded(
                    tid: r.tid, tgid: r.tgid, cpu: r.cpu, queueCPU: r.aux, start: w.start_ts, end: r.ts, causes: causes)
            )
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
        case Int(THIEF_REC_WAKER.rawValue):
            return .wakeup(wakeup(r))
        case Int(THIEF_REC_IDENTITY.rawValue):
            return .identity(identity(r))
        case Int(THIEF_REC_WORK.rawValue):
            let w = r.work
            return .work(
                WorkItem(
                    victim: r.tid, cpu: r.cpu, end: r.ts, duration: w.dur, function: w.func, pid: w.pid,
                    comm: Comm(w.comm)))
        default:
            return nil
        }
    }

    /// ABI 2: the wait's queue in the union, no causes; everything else as 3
    /// (whose new types a version-2 recording does not have).
    static func decodeV2(_ r: Record) -> Event? {
        guard Int(r.type) == Int(THIEF_REC_WAIT.rawValue) else {
            return Int(r.type) <= Int(THIEF_REC_EXEC.rawValue) ? decode(r) : nil
        }
        let w = r.wait_v2
        return .wait(
            WaitEnded(tid: r.tid, tgid: r.tgid, cpu: r.cpu, queueCPU: w.queue_cpu, start: w.start_ts, end: r.ts))
    }

    private static func wakeup(_ r: Record) -> Wakeup {
        let w = r.waker
        let context: Waker.Context =
            w.flags & UInt16(THIEF_F_HARDIRQ) != 0
            ? .hardIRQ : w.flags & UInt16(THIEF_F_SOFTIRQ) != 0 ? .softIRQ : .task
        let waker = Waker(
            pid: w.pid, tgid: w.tgid, comm: Comm(w.comm), kthread: w.flags & UInt16(THIEF_F_KTHREAD) != 0,
            context: context, cpu: w.cpu)
        return Wakeup(tid: r.tid, tgid: r.tgid, cpu: r.cpu, waking: w.waking_ts, end: r.ts, waker: waker)
    }

    private static func identity(_ r: Record) -> TaskIdentity {
        let i = r.ident
        return TaskIdentity(
            pid: r.tid, tgid: r.tgid, time: r.ts, policy: SchedPolicy(rawValue: i.policy), nice: i.nice,
            rtPriority: i.rt_priority, cgroupID: i.cgroup_id, cpusAllowedCount: i.nr_cpus_allowed,
            cpusAllowed: (i.cpus_allowed.0, i.cpus_allowed.1))
    }

    private static func change(_ r: Record) -> ThreadChange {
        ThreadChange(tid: r.tid, tgid: r.tgid, time: r.ts, parent: r.task.parent, comm: Comm(r.task.comm))
    }
}
