extension Report.Target {
    /// A kind this thief does not know (a newer report) reads as nil, so that
    /// `thief gate` and `--baseline` still read the report (in an extension:
    /// the memberwise init stays).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        pid = try c.decode(Int32.self, forKey: .pid)
        comm = try c.decode(String.self, forKey: .comm)
        command = try c.decodeIfPresent([String].self, forKey: .command)
        exitStatus = try c.decodeIfPresent(Int32.self, forKey: .exitStatus)
        threads = try c.decode([Report.ThreadReport].self, forKey: .threads)
        kind = (try? c.decodeIfPresent(String.self, forKey: .kind)).flatMap { $0.flatMap(TargetKind.init(rawValue:)) }
        cgroup = try c.decodeIfPresent(String.self, forKey: .cgroup)
        processes = try c.decodeIfPresent([Report.ProcessReport].self, forKey: .processes)
        cpuQuota = try? c.decodeIfPresent(CPUQuota.self, forKey: .cpuQuota)
    }
}
