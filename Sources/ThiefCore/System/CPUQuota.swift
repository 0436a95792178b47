import FoundationEssentials
import Glibc

/// The CPU quota a task runs under: the nearest cgroup, from its own up to
/// its hierarchy's root, that limits CPU time (v2 `cpu.max`, v1
/// `cpu.cfs_quota_us` over `cpu.cfs_period_us`). Read once at the start,
/// saved in recordings, shown as `target.cpu_quota`, and named by the quota
/// advice.
public struct CPUQuota: Codable, Sendable, Equatable {
    /// The cgroup's path below its hierarchy's root.
    public var cgroup: String
    /// The file that sets the quota, absolute.
    public var file: String
    public var quotaUs: Int64
    public var periodUs: Int64
    /// 1 or 2: the hierarchy the cpu controller is on.
    public var version: Int

    public init(cgroup: String, file: String, quotaUs: Int64, periodUs: Int64, version: Int) {
        (self.cgroup, self.file, self.quotaUs, self.periodUs, self.version) = (cgroup, file, quotaUs, periodUs, version)
    }

    enum CodingKeys: String, CodingKey {
        case cgroup, file, quotaUs = "quota_us", periodUs = "period_us", version
    }

    /// The quota of process `pid`; nil when none limits it (or /proc says nothing usable).
    public static func of(pid: Int32, read: (String) -> String? = { ProcFS.read($0) }) -> CPUQuota? {
        let mountinfo = read("/proc/self/mountinfo") ?? ""
        for line in (read("/proc/\(pid)/cgroup") ?? "").split(separator: "\n") {
            let f = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard f.count == 3, let path = safePath(String(f[2])) else { continue }
            if f[0] == "0", f[1].isEmpty, let mount = CgroupV2.mountPoint(mountinfo: mountinfo) {
                if let q = walk(mount: mount, path: path, version: 2, read: read) { return q }
            } else if f[1].split(separator: ",").contains("cpu"), let mount = v1Mount(mountinfo) {
                if let q = walk(mount: mount, path: path, version: 1, read: read) { return q }
            }
        }
        return nil
    }

    /// A path as /proc/PID/cgroup shows it, refused if it could leave the hierarchy.
    static func safePath(_ p: String) -> String? {
        guard p.hasPrefix("/"), !p.split(separator: "/").contains(where: { $0 == ".." || $0 == "." }) else {
            return nil
        }
        return p
    }

    /// The v1 mount point with the cpu controller (superoptions list it).
    static func v1Mount(_ mountinfo: String) -> String? {
        for line in mountinfo.split(separator: "\n") {
            let halves = line.components(separatedBy: " - ")
            guard halves.count == 2 else { continue }
            let tail = halves[1].split(separator: " ")
            guard tail.count >= 3, tail[0] == "cgroup", tail[2].split(separator: ",").contains("cpu") else { continue }
            let fields = halves[0].split(separator: " ")
            if fields.count > 4 { return CgroupV2.unescape(String(fields[4])) }
        }
        return nil
    }

    /// From the cgroup up to the root: the first that sets a quota.
    static func walk(mount: String, path: String, version: Int, read: (String) -> String?) -> CPUQuota? {
        var parts = path.split(separator: "/").map(String.init)
        while true {
            let rel = "/" + parts.joined(separator: "/")
            let dir = mount + (parts.isEmpty ? "" : rel)
            if let q = quota(dir: dir, cgroup: rel, version: version, read: read) { return q }
            guard !parts.isEmpty else { return nil }
            parts.removeLast()
        }
    }

    static func quota(dir: String, cgroup: String, version: Int, read: (String) -> String?) -> CPUQuota? {
        func trimmed(_ f: String) -> String? { read(dir + "/" + f)?.trimming(.whitespacesAndNewlines) }
        if version == 2 {
            guard let max = trimmed("cpu.max")?.split(separator: " "), max.count == 2,
                let quota = Int64(max[0]), let period = Int64(max[1]), quota > 0, period > 0
            else { return nil }
            return CPUQuota(cgroup: cgroup, file: dir + "/cpu.max", quotaUs: quota, periodUs: period, version: 2)
        }
        guard let quota = trimmed("cpu.cfs_quota_us").flatMap({ Int64($0) }), quota > 0,
            let period = trimmed("cpu.cfs_period_us").flatMap({ Int64($0) }), period > 0
        else { return nil }
        return CPUQuota(cgroup: cgroup, file: dir + "/cpu.cfs_quota_us", quotaUs: quota, periodUs: period, version: 1)
    }
}
