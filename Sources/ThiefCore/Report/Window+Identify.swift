extension Window {
    /// Thieves (or contending targets) with their scheduling identity as the
    /// kernel sent it (the newest for the pid by `time`) and, with `work`, a
    /// kworker's workqueue functions; names read outside the event stream
    /// come from `meta.culprits`, so a replay says what the live run said.
    func identified(_ list: [Report.Thief], at time: UInt64, _ meta: ReportMeta, work: Bool) -> [Report.Thief] {
        let names = meta.culprits ?? CulpritNames()
        let functions = work && !self.work.isEmpty ? self.work.section(symbols: names.symbolTable) : [:]
        let bound = meta.cpuBound ?? 128
        return list.map { t in
            var t = t
            if t.pid != 0, let id = identities.identity(of: t.pid, at: time) {
                t.identify(id, names: names, cpuBound: bound)
            }
            if t.pid != 0, let rows = functions[t.pid] { t.work = rows }
            return t
        }
    }
}

extension Report.Thief {
    /// The identity's keys; a cgroup no longer there when the run looked reads as `id:N`.
    mutating func identify(_ id: TaskIdentity, names: CulpritNames, cpuBound: Int) {
        policy = id.policy?.name ?? "unknown"
        nice = id.nice
        rtPriority = id.rtPriority
        cgroup = names.cgroup(id.cgroupID) ?? "id:\(id.cgroupID)"
        let mask = CPUList.format(id.allowedCPUs(below: cpuBound))
        cpusAllowed = id.maskIsShort(below: cpuBound) ? names.cpus(of: id.pid) ?? mask : mask
    }
}
