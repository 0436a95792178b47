import FoundationEssentials
import Glibc

/// A directory of the cgroup v2 hierarchy: a target of `--cgroup`. Found from
/// /proc/self/mountinfo, never by assuming /sys/fs/cgroup (hybrid hosts mount
/// v2 at /sys/fs/cgroup/unified).
public struct CgroupV2: Sendable, Equatable {
    /// The directory, absolute.
    public var directory: String
    /// Its path below the v2 root, as /proc/PID/cgroup shows it ("/" for the root).
    public var path: String
    /// Its id: the inode number of its directory (what the kernel's kernfs node holds).
    public var id: UInt64
    /// Its depth below the root (the root is 0).
    public var level: UInt32

    public struct Invalid: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// The cgroup2 mount point in a mountinfo text (field 5, for fstype "cgroup2"), if any.
    public static func mountPoint(mountinfo: String) -> String? {
        for line in mountinfo.split(separator: "\n") {
            let halves = line.components(separatedBy: " - ")
            guard halves.count == 2, halves[1].split(separator: " ").first == "cgroup2" else { continue }
            let fields = halves[0].split(separator: " ")
            if fields.count > 4 { return unescape(String(fields[4])) }
        }
        return nil
    }

    /// mountinfo escapes space, tab, newline and backslash as octal (\040 …).
    static func unescape(_ s: String) -> String {
        var out = ""
        var chars = Array(s)[...]
        while let c = chars.first {
            chars = chars.dropFirst()
            if c == "\\", chars.count >= 3, let v = UInt8(String(chars.prefix(3)), radix: 8) {
                out.append(Character(Unicode.Scalar(v)))
                chars = chars.dropFirst(3)
            } else {
                out.append(c)
            }
        }
        return out
    }

    /// A line of /proc/PID/cgroup pasted whole: "0::/x" is v2's, and means
    /// "/x"; "N:controllers:/x" is a v1 hierarchy's, which --cgroup cannot trace.
    static func v2Path(_ spec: String) throws -> String {
        let fields = spec.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        guard fields.count == 3, let n = Int(fields[0]), fields[2].hasPrefix("/") else { return spec }
        if n == 0 && fields[1].isEmpty { return String(fields[2]) }
        throw Invalid(
            description:
                "'\(spec)' is a cgroup v1 line of /proc/PID/cgroup (hierarchy \(n), \(fields[1])); --cgroup takes the v2 line, "
                + "the one that starts with 0::")
    }

    /// The cgroup v1 mount (fstype "cgroup") that holds an absolute path, if any.
    static func v1MountPoint(of path: String, mountinfo: String) -> String? {
        guard path.hasPrefix("/") else { return nil }
        for line in mountinfo.split(separator: "\n") {
            let halves = line.components(separatedBy: " - ")
            guard halves.count == 2, halves[1].split(separator: " ").first == "cgroup" else { continue }
            let fields = halves[0].split(separator: " ")
            guard fields.count > 4 else { continue }
            let m = unescape(String(fields[4]))
            if path == m || path.hasPrefix(m + "/") { return m }
        }
        return nil
    }

    /// `spec`: a directory under the v2 mount, or a path below the v2 root
    /// ("/system.slice/nginx.service", "mygroup"). Checks it is a directory of
    /// the cgroup2 file system.
    public static func resolve(_ spec: String, mountinfo: String? = ProcFS.read("/proc/self/mountinfo")) throws
        -> CgroupV2
    {
        guard let mount = mountinfo.flatMap(mountPoint) else {
            throw Invalid(
                description: "no cgroup v2 hierarchy is mounted here (no cgroup2 line in /proc/self/mountinfo)")
        }
        let root = mount.hasSuffix("/") && mount.count > 1 ? String(mount.dropLast()) : mount
        let spec = try v2Path(spec)
        var rel = spec
        if spec == root || spec.hasPrefix(root + "/") {
            rel = String(spec.dropFirst(root.count))
        } else if let v1 = mountinfo.flatMap({ v1MountPoint(of: spec, mountinfo: $0) }) {
            throw Invalid(
                description:
                    "'\(spec)' is in the cgroup v1 hierarchy mounted at \(v1); --cgroup takes cgroup v2 (here at \(root)): "
                    + "trace its processes with -p \"$(paste -sd, \(spec)/cgroup.procs)\"")
        }
        // "./x" and "x/./y" are "x" and "x/y" (it showed as "/./x").
        let parts = rel.split(separator: "/").map(String.init).filter { $0 != "." }
        guard !parts.contains("..") else {
            throw Invalid(description: "cgroup path '\(spec)' must not contain '..'")
        }
        let directory = parts.isEmpty ? root : root + "/" + parts.joined(separator: "/")
        var st = stat()
        guard lstat(directory, &st) == 0, st.st_mode & S_IFMT == S_IFDIR else {
            throw Invalid(
                description:
                    "no cgroup '\(spec)': \(directory) is not a directory of the cgroup v2 hierarchy at \(root)")
        }
        // Below the cgroup2 mount, every cgroup directory has cgroup.procs.
        guard FileManager.default.fileExists(atPath: directory + "/cgroup.procs") else {
            throw Invalid(description: "\(directory) is not a cgroup v2 directory (it has no cgroup.procs)")
        }
        return CgroupV2(
            directory: directory, path: "/" + parts.joined(separator: "/"), id: UInt64(st.st_ino),
            level: UInt32(parts.count))
    }

    /// The thread ids in this cgroup and every cgroup below it now.
    public func threads() -> [Int32] {
        var out: [Int32] = []
        var dirs = [directory]
        while let dir = dirs.popLast() {
            if let text = ProcFS.read(dir + "/cgroup.threads") {
                out += text.split(separator: "\n").compactMap { Int32($0) }
            }
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
            for name in names {
                var st = stat()
                let sub = dir + "/" + name
                if lstat(sub, &st) == 0, st.st_mode & S_IFMT == S_IFDIR { dirs.append(sub) }
            }
        }
        return out.sorted()
    }
}
