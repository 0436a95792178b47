/// What a run read outside the event stream to name its culprits: v2 cgroup
/// paths by id, kernel symbols by address, and the CPU lists of tasks whose
/// mask the kernel record could not hold. A live run fills it as it reports
/// (`CulpritNamer`) and saves it in the recording's trailer, so a replay
/// names them the same. Keys are strings (decimal ids and pids, hex
/// addresses): JSON numbers past 2^53 are not safe everywhere.
public struct CulpritNames: Codable, Sendable, Equatable {
    /// cgroup id (decimal) → path below the v2 root ("/system.slice/cron.service").
    public var cgroups: [String: String] = [:]
    /// Kernel address (lowercase hex, no 0x) → symbol ("vmstat_update").
    public var symbols: [String: String] = [:]
    /// pid (decimal) → its allowed CPUs ("0-3,8"), from /proc/PID/status.
    public var cpusAllowed: [String: String]? = nil

    public init() {}

    enum CodingKeys: String, CodingKey { case cgroups, symbols, cpusAllowed = "cpus_allowed" }

    /// Every key optional: a trailer written by another version still reads.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        cgroups = try c.decodeIfPresent([String: String].self, forKey: .cgroups) ?? [:]
        symbols = try c.decodeIfPresent([String: String].self, forKey: .symbols) ?? [:]
        cpusAllowed = try c.decodeIfPresent([String: String].self, forKey: .cpusAllowed)
    }

    public var isEmpty: Bool { cgroups.isEmpty && symbols.isEmpty && (cpusAllowed ?? [:]).isEmpty }

    public func cgroup(_ id: UInt64) -> String? { cgroups[String(id)] }
    public func symbol(_ address: UInt64) -> String? { symbols[String(address, radix: 16)] }
    public func cpus(of pid: UInt32) -> String? { cpusAllowed?[String(pid)] }

    /// Addresses → symbols, for `WorkItems.section`.
    public var symbolTable: [UInt64: String] {
        var out: [UInt64: String] = [:]
        for (k, v) in symbols { if let a = UInt64(k, radix: 16) { out[a] = v } }
        return out
    }
}
