extension Window {
    /// The report of this window: each analysis's section, and what the run says besides.
    public func report(_ meta: ReportMeta) -> Report {
        let c = context
        let time = self.time.section(c)
        let interrupts = self.interrupts.section(c)
        var thieves = identified(self.thieves.section(c), at: c.end, meta, work: true)
        var contenders = identified(self.contention.section(c, threads: threads), at: c.end, meta, work: false)
        for i in thieves.indices { thieves[i].classifyInterruptWork() }
        for i in contenders.indices { contenders[i].classifyInterruptWork() }
        var r = Report(
            version: meta.version, host: meta.host, kernel: meta.kernel,
            target: .init(
                pid: meta.pid, comm: meta.comm, command: meta.command, exitStatus: meta.exitStatus,
                threads: threads.section(c), kind: meta.kind, cgroup: meta.cgroup,
                processes: processes.section(c, threads: threads, contention: contention)),
            window: .init(
                startNs: c.start, endNs: c.end, durationNs: c.end >= c.start ? c.end - c.start : 0,
                startTime: meta.startTime,
                startEpochNs: meta.startEpochNs, cpusSeen: time.cpusSeen, cpusOnline: meta.cpusOnline,
                endReason: meta.endReason),
            migrations: migrations.section(c),
            onCore: time.onCore,
            offCore: time.offCore,
            runnableWait: runnableWait.section(c),
            thieves: thieves, contention: contenders, irqs: interrupts.irqs,
            softirqs: interrupts.softirqs,
            systemVectors: interrupts.systemVectors,
            lostEvents: meta.lostEvents, missedSwitchEvents: meta.missedSwitchEvents, records: records,
            tracer: .init(attach: meta.attach, programs: meta.programs, selfCost: meta.selfCost),
            interval: meta.interval)
        r.target.cpuQuota = meta.cpuQuota
        r.tracer.pid = meta.tracerPid
        r.tracer.preemptRT = meta.preemptRT
        r.worstWaits = worstWaits.section(c, threads: threads)
        r.wakers = wakers.section(c)
        r.cpus = cpus.section(c, topology: topology)
        if let gone = meta.unavailable { r.markUnavailable(gone) }
        return r
    }
}
