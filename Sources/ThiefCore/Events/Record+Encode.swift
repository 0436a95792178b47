import CThiefABI

/// Events back into the kernel's record layout (ABI 3): for the consumer
/// benchmark and for tests that feed the decoder what the kernel would send.
extension Record {
    public init(_ event: Event) {
        self.init()
        switch event {
        case .slice(let e):
            head(THIEF_REC_SLICE, e.end, e.cpu, e.tid, e.tgid)
            slice.start_ts = e.start
            slice.ran_ns = e.ran
            slice.next_state = UInt32(e.next.rawValue)
            slice.contended_ns = e.contended
            slice.waiter = e.waiter
        case .offCore(let e):
            head(THIEF_REC_OFFCORE, e.end, e.cpu, e.tid, e.tgid)
            offcore.start_ts = e.start
            offcore.state = UInt32(e.state.rawValue)
        case .wait(let e):
            head(THIEF_REC_WAIT, e.end, e.cpu, e.tid, e.tgid)
            aux = e.queueCPU
            wait.start_ts = e.start
            wait.targets_ns = e.causes.targets
            wait.idle_ns = e.causes.idle
            wait.steal_ns = e.causes.steal
            wait.throttled_ns = e.causes.throttled
        case .steal(let e):
            head(THIEF_REC_STEAL, e.end, e.cpu, e.victim, 0)
            steal.dur = e.duration
            steal.pid = e.pid
            steal.tgid = e.tgid
            steal.flags = e.kthread ? THIEF_F_KTHREAD : 0
            steal.comm = e.comm.bytes
        case .interrupt(let e):
            head(THIEF_REC_IRQ, e.end, e.cpu, e.tid, e.tgid)
            irq.start_ts = e.start
            irq.self_ns = e.duration
            irq.kind = e.kind?.rawValue ?? UInt32.max
            irq.number = e.number
            irq.name = e.handler.bytes
        case .migration(let e):
            head(THIEF_REC_MIGRATE, e.time, 0, e.tid, e.tgid)
            migrate.from_cpu = e.from
            migrate.to_cpu = e.to
            migrate.kind = UInt32(e.kind.rawValue)
        case .threadBorn(let c): task(THIEF_REC_NEW_THREAD, c)
        case .threadExec(let c): task(THIEF_REC_EXEC, c)
        case .threadExit(let c): task(THIEF_REC_EXIT, c)
        case .wakeup(let e):
            head(THIEF_REC_WAKER, e.end, e.cpu, e.tid, e.tgid)
            waker.waking_ts = e.waking
            waker.pid = e.waker.pid
            waker.tgid = e.waker.tgid
            waker.cpu = e.waker.cpu
            var flags = e.waker.kthread ? THIEF_F_KTHREAD : 0
            if e.waker.context == .hardIRQ { flags |= THIEF_F_HARDIRQ }
            if e.waker.context == .softIRQ { flags |= THIEF_F_SOFTIRQ }
            waker.flags = UInt16(flags)
            waker.comm = e.waker.comm.bytes
        case .identity(let e):
            head(THIEF_REC_IDENTITY, e.time, 0, e.pid, e.tgid)
            ident.policy = e.policy?.rawValue ?? UInt32.max
            ident.nice = e.nice
            ident.rt_priority = e.rtPriority
            ident.cgroup_id = e.cgroupID
            ident.nr_cpus_allowed = e.cpusAllowedCount
            ident.cpus_allowed = e.cpusAllowed
        case .work(let e):
            head(THIEF_REC_WORK, e.end, e.cpu, e.victim, 0)
            work.func = e.function
            work.dur = e.duration
            work.pid = e.pid
            work.comm = e.comm.bytes
        }
    }

    private mutating func head(_ type: thief_record_type, _ ts: UInt64, _ cpu: UInt16, _ tid: UInt32, _ tgid: UInt32) {
        self.type = UInt16(type.rawValue)
        self.ts = ts
        self.cpu = cpu
        self.tid = tid
        self.tgid = tgid
    }

    private mutating func task(_ type: thief_record_type, _ c: ThreadChange) {
        head(type, c.time, 0, c.tid, c.tgid)
        task.parent = c.parent
        task.comm = c.comm.bytes
    }
}
