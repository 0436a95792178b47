import FoundationEssentials
import Glibc

/// cgroup v2 ids (the inode number of a cgroup's directory, what the kernel
/// sends) → paths below the v2 root, as /proc/PID/cgroup shows them.
///
/// The hierarchy is walked, the whole of it, the first time an id is not
/// known, and again only for a batch of ids none of the walks so far found;
/// an id still not found then is a cgroup gone by then, and stays unknown
/// (the reports of one run agree). The file system is treated as hostile:
/// directories are opened relative to their parent with O_NOFOLLOW (no
/// symlink is followed, nothing outside the mount is entered), and the walk
/// stops at `maxDepth` levels and `maxDirectories` directories.
public final class CgroupPaths {
    public static let maxDepth = 32
    public static let maxDirectories = 100_000

    /// The cgroup2 mount (nil: none; every id is then unknown).
    public let root: String?
    private var known: [UInt64: String] = [:]
    private var gone: Set<UInt64> = []
    public private(set) var walks = 0
    private let maxDepth: Int
    private let maxDirectories: Int

    public init(
        root: String? = CgroupV2.mountPoint(mountinfo: ProcFS.read("/proc/self/mountinfo") ?? ""),
        maxDepth: Int = CgroupPaths.maxDepth, maxDirectories: Int = CgroupPaths.maxDirectories
    ) {
        self.root = root
        self.maxDepth = maxDepth
        self.maxDirectories = maxDirectories
    }

    /// The paths of `ids` that exist (or existed at an earlier walk).
    public func paths(of ids: some Sequence<UInt64>) -> [UInt64: String] {
        let wanted = Set(ids)
        let misses = wanted.filter { known[$0] == nil && !gone.contains($0) }
        if !misses.isEmpty, let root {
            walks += 1
            // A cgroup keeps its path for its life: what an earlier walk found stays.
            known.merge(Self.walk(root, maxDepth: maxDepth, maxDirectories: maxDirectories)) { old, _ in old }
        }
        for id in misses where known[id] == nil { gone.insert(id) }
        var out: [UInt64: String] = [:]
        for id in wanted { if let p = known[id] { out[id] = p } }
        return out
    }

    /// Every directory below `root` (inclusive, "/"), by inode number.
    static func walk(_ root: String, maxDepth: Int, maxDirectories: Int) -> [UInt64: String] {
        let fd = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return [:] }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            close(fd)
            return [:]
        }
        var walker = Walker(device: st.st_dev, maxDepth: maxDepth, budget: maxDirectories)
        walker.out[UInt64(st.st_ino)] = "/"
        walker.descend(fd, path: "", depth: 0)
        return walker.out
    }

    /// Depth first, one open directory per level.
    struct Walker {
        let device: dev_t
        let maxDepth: Int
        var budget: Int
        var out: [UInt64: String] = [:]

        /// Reads directory `fd` (and closes it), at `path` below the root.
        mutating func descend(_ fd: Int32, path: String, depth: Int) {
            guard let dir = fdopendir(fd) else {
                close(fd)
                return
            }
            defer { closedir(dir) }
            guard depth < maxDepth else { return }
            while budget > 0, let entry = readdir(dir) {
                let type = Int32(entry.pointee.d_type)
                guard type == Int32(DT_DIR) || type == Int32(DT_UNKNOWN) else { continue }
                let name = withUnsafePointer(to: &entry.pointee.d_name) {
                    $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
                }
                guard name != ".", name != ".." else { continue }
                child(of: dirfd(dir), name, path: path + "/" + name, depth: depth)
            }
        }

        private mutating func child(of parent: Int32, _ name: String, path: String, depth: Int) {
            let fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard fd >= 0 else { return }
            var st = stat()
            // Another file system mounted inside is not the hierarchy.
            guard fstat(fd, &st) == 0, st.st_dev == device, st.st_mode & S_IFMT == S_IFDIR else {
                close(fd)
                return
            }
            budget -= 1
            out[UInt64(st.st_ino)] = path
            descend(fd, path: path, depth: depth + 1)
        }
    }
}
