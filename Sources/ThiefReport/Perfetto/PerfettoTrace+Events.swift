import ThiefCore

extension PerfettoTrace {
    /// One event of the stream (the Session's observer).
    public func consume(_ event: Event) {
        switch event {
        case .slice(let s): slice(s)
        case .steal(let s):
            name(s.pid, tgid: s.tgid, s.comm.string)
            switchPair(cpu: s.cpu, pid: s.pid, from: max(s.start, header.runStart), to: s.end, state: 0)
        case .interrupt(let i): interrupt(i)
        case .wakeup(let w): wakeup(w)
        case .threadBorn(let c), .threadExec(let c), .threadExit(let c): name(c.tid, tgid: c.tgid, c.comm.string)
        case .work(let w): name(w.pid, tgid: w.pid, w.comm.string)
        default: break
        }
    }

    /// A target's slice: as long as the report counts it (the growth of
    /// se.sum_exec_runtime when its start was traced), ending at its switch-out.
    func slice(_ s: SliceEnded) {
        let exact = s.start >= header.runStart && s.ran > 0
        let start = exact ? s.end &- s.ran : max(s.start, header.runStart)
        guard s.end > start else { return }
        switchPair(cpu: s.cpu, pid: s.tid, from: start, to: s.end, state: Self.prevState(s.next))
    }

    /// The kernel's prev_state bits for a switch-out in that state (R, S, D, T).
    static func prevState(_ s: OffState) -> Int64 {
        switch s {
        case .preempted: 0
        case .sleeping: 1
        case .blocked: 2
        case .other: 4
        }
    }

    /// `pid` on `cpu` from `from` to `to`: switched in from, and out to, the
    /// idle task (what ran around it is not known unless another stretch says).
    func switchPair(cpu: UInt16, pid: UInt32, from: UInt64, to: UInt64, state: Int64) {
        guard to > from else { return }
        let name = comm(pid)
        ftrace(cpu: cpu, ts: from, pid: 0, PF.Ftrace.schedSwitch) { e in
            Self.switchFields(&e, prev: (0, "swapper", 0), next: (pid, name))
        }
        ftrace(cpu: cpu, ts: to, pid: pid, PF.Ftrace.schedSwitch) { e in
            Self.switchFields(&e, prev: (pid, name, state), next: (0, "swapper"))
        }
    }

    static func switchFields(
        _ e: inout ProtoMessage, prev: (UInt32, String, Int64), next: (UInt32, String)
    ) {
        e.string(PF.Switch.prevComm, prev.1)
        e.int(PF.Switch.prevPid, Int64(prev.0))
        e.int(PF.Switch.prevPrio, 120)
        e.int(PF.Switch.prevState, prev.2)
        e.string(PF.Switch.nextComm, next.1)
        e.int(PF.Switch.nextPid, Int64(next.0))
        e.int(PF.Switch.nextPrio, 120)
    }

    func interrupt(_ i: Interrupt) {
        let start = max(i.start, header.runStart)
        switch i.kind {
        case .hard:
            ftrace(cpu: i.cpu, ts: start, pid: i.tid, PF.Ftrace.irqEntry) { e in
                e.int(PF.Irq.irq, Int64(i.number))
                e.string(PF.Irq.name, i.handler.string)
            }
            ftrace(cpu: i.cpu, ts: i.end, pid: i.tid, PF.Ftrace.irqExit) { e in
                e.int(PF.Irq.irq, Int64(i.number))
                e.int(PF.Irq.ret, 1)
            }
        case .soft:
            ftrace(cpu: i.cpu, ts: start, pid: i.tid, PF.Ftrace.softirqEntry) {
                $0.uint(PF.Softirq.vec, UInt64(i.number))
            }
            ftrace(cpu: i.cpu, ts: i.end, pid: i.tid, PF.Ftrace.softirqExit) {
                $0.uint(PF.Softirq.vec, UInt64(i.number))
            }
        default:
            let track = 1000 + UInt64(i.cpu)
            describe(track, "CPU \(i.cpu) system vectors (thief)")
            trackEvent(track, at: start, PF.Event.begin, i.name)
            trackEvent(track, at: i.end, PF.Event.end, nil)
        }
    }

    func wakeup(_ w: Wakeup) {
        name(w.waker.pid, tgid: w.waker.tgid, w.waker.comm.string)
        let wakee = comm(w.tid)
        ftrace(cpu: w.waker.cpu, ts: max(w.waking, header.runStart), pid: w.waker.pid, PF.Ftrace.schedWaking) { e in
            e.string(PF.Waking.comm, wakee)
            e.int(PF.Waking.pid, Int64(w.tid))
            e.int(PF.Waking.prio, 120)
            e.int(PF.Waking.success, 1)
            e.int(PF.Waking.targetCPU, Int64(w.cpu))
        }
    }

    // MARK: Tracks of thief's own

    func describe(_ uuid: UInt64, _ name: String) {
        guard tracks.insert(uuid).inserted else { return }
        var p = ProtoMessage()
        p.message(PF.Packet.trackDescriptor) { d in
            d.uint(PF.Track.uuid, uuid)
            d.string(PF.Track.name, name)
        }
        p.uint(PF.Packet.sequenceID, 1)
        emitLater(p)
    }

    func trackEvent(_ uuid: UInt64, at ts: UInt64, _ type: UInt64, _ name: String?) {
        var p = ProtoMessage()
        p.uint(PF.Packet.timestamp, boot(ts))
        p.message(PF.Packet.trackEvent) { e in
            e.uint(PF.Event.type, type)
            e.uint(PF.Event.trackUUID, uuid)
            if let name { e.string(PF.Event.name, name) }
        }
        p.uint(PF.Packet.sequenceID, 1)
        emitLater(p)
    }
}
