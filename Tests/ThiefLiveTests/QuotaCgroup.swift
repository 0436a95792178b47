import Foundation
import ThiefCore

/// A cgroup with a CPU quota, on whichever hierarchy has the cpu controller:
/// v2 `cpu.max` (the unified mount lists `cpu` in cgroup.controllers) or v1
/// `cpu.cfs_quota_us`. Its throttled time comes from its own `cpu.stat`
/// (v2 `throttled_usec`, v1 `throttled_time` in ns).
final class QuotaCgroup {
    let directory: String
    let v2: Bool

    /// `share` of one CPU per 100 ms period.
    init(share: Double) throws {
        let name = "thief-quota-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let mount = CgroupV2.mountPoint(mountinfo: ProcFS.read("/proc/self/mountinfo") ?? "")
        if let mount, Self.hasCPU(mount) {
            _ = Self.write(mount + "/cgroup.subtree_control", "+cpu")
            (directory, v2) = (mount + "/" + name, true)
        } else if let v1 = ["/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu,cpuacct"].first(where: Self.isDirectory) {
            (directory, v2) = (v1 + "/" + name, false)
        } else {
            throw Live.Unavailable(description: "no cgroup hierarchy with the cpu controller")
        }
        guard mkdir(directory, 0o755) == 0 else { throw Live.Unavailable(description: "cannot create \(directory)") }
        let quota = Int(share * 100_000)
        let ok =
            v2
            ? Self.write(directory + "/cpu.max", "\(quota) 100000")
            : Self.write(directory + "/cpu.cfs_period_us", "100000")
                && Self.write(directory + "/cpu.cfs_quota_us", "\(quota)")
        guard ok else { throw Live.Unavailable(description: "cannot set the quota of \(directory)") }
    }

    deinit {
        for pid in (ProcFS.read(directory + "/cgroup.procs") ?? "").split(separator: "\n") {
            kill(Int32(pid) ?? 0, SIGKILL)
        }
        usleep(100_000)
        rmdir(directory)
    }

    func add(_ pid: Int32) -> Bool { Self.write(directory + "/cgroup.procs", "\(pid)") }

    /// ns the cgroup has been throttled, by its own books.
    func throttledNs() -> Double? {
        let stat = ProcFS.read(directory + "/cpu.stat") ?? ""
        let key = v2 ? "throttled_usec" : "throttled_time"
        for line in stat.split(separator: "\n") {
            let f = line.split(separator: " ")
            if f.count == 2, f[0] == key, let v = Double(f[1]) { return v2 ? v * 1000 : v }
        }
        return nil
    }

    static func hasCPU(_ mount: String) -> Bool {
        (ProcFS.read(mount + "/cgroup.controllers") ?? "").split(separator: " ").contains {
            $0.hasPrefix("cpu") && $0.count == 3
        }
    }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && st.st_mode & S_IFMT == S_IFDIR
    }

    static func write(_ path: String, _ text: String) -> Bool {
        let fd = open(path, O_WRONLY)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return text.withCString { Foundation.write(fd, $0, strlen($0)) } >= 0
    }
}
