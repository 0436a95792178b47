import Glibc

/// Every file thief writes goes through here (docs/capture.md "Files thief writes"):
/// thief runs as root, often in directories other users can write to (/tmp, a
/// shared log directory), and a link another user planted must never redirect
/// a write, whether or not fs.protected_symlinks is on.
///
/// - The directory is reached one component at a time with openat(oPath |
///   O_NOFOLLOW) from "/" (or the current directory), and each later step is
///   relative to the directory already opened: a component swapped for a link
///   after a check cannot redirect anything. In a directory others can write
///   to, a directory or symlink is followed only if it belongs to root, the
///   caller or that directory's owner (as protected_symlinks would); a
///   directory others can write to without the sticky bit is refused.
/// - Replacing: a new file with an unpredictable name, created O_EXCL |
///   O_NOFOLLOW next to FILE, written, fsync'd, then renamed over FILE (rename
///   replaces a planted link, never follows it).
/// - Appending: FILE opened O_NOFOLLOW; it must be a regular file of the
///   caller's (or root's) with one link, or nothing is written.
/// - Not a regular file: a character device, FIFO or socket at FILE is
///   written in place (opened O_NOFOLLOW, never replaced), as cp and curl -o
///   do; in a directory others can write to, only one that belongs to root,
///   the caller or that directory's owner. A block device is refused. "-",
///   /dev/stdout, /dev/stderr and /dev/fd/N are the caller's own descriptors.
/// - Created files get mode 0666 minus the caller's umask.
public enum SafeFile {
    /// One line: "cannot write FILE: why".
    public struct Refused: Error, CustomStringConvertible, Sendable {
        public let description: String
        /// A directory of the path does not exist.
        public let missing: Bool

        init(description: String, missing: Bool = false) {
            self.description = description
            self.missing = missing
        }
    }

    /// What an append finds in FILE before it writes.
    public struct Existing: Sendable {
        /// FILE's size (0 when thief just created it).
        public let size: Int
        /// FILE's first bytes (up to 4096).
        public let head: [UInt8]
        /// FILE is a stream written in place (standard output, a FIFO, a device): nothing to read back.
        public var inPlace = false
    }

    /// Replaces FILE atomically with `bytes`.
    public static func replace(_ path: String, with bytes: [UInt8]) throws {
        let w = try AtomicWriter(path)
        try w.write(bytes)
        try w.commit()
    }

    /// Appends what `body` returns (given FILE as it is) with one write, then
    /// fsync; a failed write is cut off again with ftruncate.
    public static func append(_ path: String, _ body: (Existing) throws -> [UInt8]) throws {
        if let fd = try standardStream(path) {
            defer { close(fd) }
            return try writeAll(fd, try body(Existing(size: 0, head: [], inPlace: true)), path)
        }
        let dir = try Directory(path)
        defer { close(dir.fd) }
        if let fd = try dir.openInPlace(path) {
            defer { close(fd) }
            return try writeAll(fd, try body(Existing(size: 0, head: [], inPlace: true)), path)
        }
        let fd = openat(
            dir.fd, dir.name, O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw refusedOpen(path) }
        defer { close(fd) }
        let st = try checkAppendable(fd, path)
        if st.st_size == 0 { giveToInvokingUser(fd) }
        let existing = Existing(size: Int(st.st_size), head: readHead(fd))
        let bytes = try body(existing)
        do {
            try writeAll(fd, bytes, path)
            guard fsync(fd) == 0 else { throw refused(path) }
        } catch {
            _ = ftruncate(fd, st.st_size)  // no torn row: undo the partial write
            throw error
        }
    }

    /// FILE's first bytes, by the rules of an append (nil if FILE does not
    /// exist yet, or its directory does not: the write itself will say so).
    public static func head(_ path: String) throws -> [UInt8]? {
        if isStandardStream(path) { return nil }
        let dir: Directory
        do { dir = try Directory(path) } catch let e as Refused where e.missing { return nil }
        defer { close(dir.fd) }
        // A stream is never read (a FIFO's bytes are its reader's), only checked.
        if try dir.specialNode(path) != nil { return nil }
        let fd = openat(dir.fd, dir.name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw refusedOpen(path)
        }
        defer { close(fd) }
        _ = try checkAppendable(fd, path)
        return readHead(fd)
    }

    /// Checks, before any work, that FILE's directory exists and passes the
    /// rules (Refused.missing when a directory of the path does not exist).
    /// A directory on a read-only file system (or one the caller may not
    /// write to) is refused here too, before a run that could not be saved.
    public static func checkDirectory(_ path: String) throws {
        if isStandardStream(path) { return }
        let dir = try Directory(path)
        defer { close(dir.fd) }
        if try dir.specialNode(path) != nil { return }
        guard faccessat(dir.fd, ".", W_OK, atEAccess) == 0 else { throw refused(path) }
    }

    // MARK: - Streams written in place

    /// "-", /dev/stdout, /dev/stderr, /dev/fd/N or /proc/self/fd/N: one of
    /// thief's own descriptors, as the shell handed it (a pipe, a terminal, a
    /// file it opened), never a path to walk (/dev/stdout is a link).
    public static func isStandardStream(_ path: String) -> Bool { streamDescriptor(path) != nil }

    /// "-" and /dev/stdout: the report goes where the report goes without -o.
    public static func isStandardOutput(_ path: String) -> Bool { streamDescriptor(path) == STDOUT_FILENO }

    static func streamDescriptor(_ path: String) -> Int32? {
        switch path {
        case "-", "/dev/stdout": return STDOUT_FILENO
        case "/dev/stderr": return STDERR_FILENO
        default:
            for prefix in ["/dev/fd/", "/proc/self/fd/"] where path.hasPrefix(prefix) {
                let n = path.dropFirst(prefix.count)
                if !n.isEmpty, n.allSatisfy(\.isASCII), let fd = Int32(n), fd >= 0 { return fd }
            }
            return nil
        }
    }

    /// A descriptor of its own for a standard stream (nil: `path` names a file).
    static func standardStream(_ path: String) throws -> Int32? {
        guard let n = streamDescriptor(path) else { return nil }
        let fd = fcntl(n, F_DUPFD_CLOEXEC, 3)
        guard fd >= 0 else { throw refused(path) }
        return fd
    }

    /// A file written as a run goes (a recording): a temporary file next to
    /// FILE until `commit` renames it over FILE; dropped uncommitted, it is removed.
    public final class AtomicWriter {
        public let path: String
        private let dir: Int32
        private let tmp: String
        private var fd: Int32
        private var committed = false

        public init(_ path: String) throws {
            self.path = path
            if let fd = try SafeFile.standardStream(path) {
                dir = -1
                tmp = ""
                name = ""
                self.fd = fd
                inPlace = true
                return
            }
            let d = try Directory(path)
            dir = d.fd
            let special: Int32?
            do { special = try d.openInPlace(path) } catch {
                close(dir)
                throw error
            }
            if let special {
                tmp = ""
                name = d.name
                fd = special
                inPlace = true
                return
            }
            inPlace = false
            var attempts = 0
            while true {
                let name = Self.temporaryName(d.name)
                let fd = openat(
                    dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0o666)
                if fd >= 0 {
                    SafeFile.giveToInvokingUser(fd)
                    self.fd = fd
                    tmp = name
                    break
                }
                attempts += 1
                guard errno == EEXIST, attempts < 100 else {
                    let e = SafeFile.refused(path)
                    close(dir)
                    throw e
                }
            }
            self.name = d.name
        }

        private let name: String
        /// FILE is a stream (standard output, a device, a FIFO, a socket): written in place, nothing renamed.
        private let inPlace: Bool

        deinit {
            if fd >= 0 { close(fd) }
            if !committed && !inPlace { unlinkat(dir, tmp, 0) }
            if dir >= 0 { close(dir) }
        }

        public func write(_ bytes: [UInt8]) throws {
            try SafeFile.writeAll(fd, bytes, path)
        }

        /// fsync, then rename over FILE (replacing whatever FILE is, a planted link included), then fsync the directory.
        public func commit() throws {
            if inPlace {
                committed = true
                close(fd)
                fd = -1
                return
            }
            guard fsync(fd) == 0 else { throw SafeFile.refused(path) }
            guard renameat(dir, tmp, dir, name) == 0 else { throw SafeFile.refused(path) }
            committed = true
            close(fd)
            fd = -1
            let d = openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if d >= 0 {
                _ = fsync(d)
                close(d)
            }
        }

        /// ".NAME.XXXXXXXXXXXX.tmp": hidden, unpredictable (71 random bits), within NAME_MAX.
        static func temporaryName(_ base: String) -> String {
            var prefix = ""
            var bytes = 0
            for c in base {
                bytes += c.utf8.count
                if bytes > 200 { break }
                prefix.append(c)
            }
            let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
            var rng = SystemRandomNumberGenerator()
            let random = String((0..<12).map { _ in alphabet[Int(rng.next(upperBound: UInt(alphabet.count)))] })
            return ".\(prefix).\(random).tmp"
        }
    }

    // MARK: - The directory

    /// FILE's directory, opened (O_PATH) by the rules above, and FILE's last component.
    struct Directory {
        let fd: Int32
        let name: String
        /// Others may change its entries (sticky, or it would have been refused).
        var shared = false
        /// The directory's owner.
        var owner: uid_t = 0

        init(_ path: String) throws {
            let me = geteuid()
            var parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
            guard let last = parts.popLast(), last != ".", last != ".." else {
                throw Refused(description: "cannot write \(path): not a file name")
            }
            // The components still to walk, next last.
            var pending = Array(parts.reversed())
            var shown = path.hasPrefix("/") ? "/" : "."
            var fd = open(shown, oPath | O_DIRECTORY | O_CLOEXEC)
            guard fd >= 0 else { throw SafeFile.refused(path) }
            var links = 0
            do {
                while true {
                    let isLast = pending.isEmpty
                    let name = isLast ? last : pending.removeLast()
                    if name == "." { continue }
                    var dst = stat()
                    guard fstat(fd, &dst) == 0 else { throw SafeFile.refused(path) }
                    let shared = Self.othersCanWrite(dst, me: me)
                    if shared && dst.st_mode & S_ISVTX == 0 {
                        throw Refused(
                            description:
                                "cannot write \(path): directory \(shown) is writable by other users and not sticky")
                    }
                    if isLast {
                        self.fd = fd
                        self.name = name
                        self.shared = shared
                        self.owner = dst.st_uid
                        return
                    }
                    let next = openat(fd, name, oPath | O_NOFOLLOW | O_CLOEXEC)
                    guard next >= 0 else { throw SafeFile.refused(path, missing: errno == ENOENT) }
                    var est = stat()
                    guard fstat(next, &est) == 0 else {
                        close(next)
                        throw SafeFile.refused(path)
                    }
                    let here = shown == "/" ? "/" + name : shown + "/" + name
                    if shared && est.st_uid != 0 && est.st_uid != me && est.st_uid != dst.st_uid {
                        close(next)
                        throw Refused(
                            description:
                                "cannot write \(path): \(here) belongs to another user (uid \(est.st_uid)) in the shared directory \(shown); not followed"
                        )
                    }
                    switch est.st_mode & S_IFMT {
                    case S_IFDIR:
                        close(fd)
                        fd = next
                        shown = name == ".." ? shown + "/.." : here
                    case S_IFLNK:
                        links += 1
                        let target = Self.readLink(next)
                        close(next)
                        guard links <= 40, let target, !target.isEmpty else {
                            errno = links > 40 ? ELOOP : EINVAL
                            throw SafeFile.refused(path)
                        }
                        if target.hasPrefix("/") {
                            let root = open("/", oPath | O_DIRECTORY | O_CLOEXEC)
                            guard root >= 0 else { throw SafeFile.refused(path) }
                            close(fd)
                            fd = root
                            shown = "/"
                        }
                        pending += target.split(separator: "/").map(String.init).reversed()
                    default:
                        close(next)
                        errno = ENOTDIR
                        throw SafeFile.refused(path)
                    }
                }
            } catch {
                close(fd)
                throw error
            }
        }

        /// FILE's type when it is a node written in place (a character device,
        /// FIFO or socket); nil for a regular file, a link (replaced), or none.
        /// Refuses a block device, and in a shared directory a node of another user.
        func specialNode(_ path: String) throws -> mode_t? {
            var st = stat()
            guard fstatat(fd, name, &st, atSymlinkNoFollow) == 0 else {
                if errno == ENOENT { return nil }
                throw SafeFile.refused(path)
            }
            let type = st.st_mode & S_IFMT
            switch type {
            case S_IFCHR, S_IFIFO, S_IFSOCK: break
            case S_IFBLK:
                throw Refused(
                    description: "cannot write \(path): it is a block device; refusing to write a report over a disk")
            default: return nil
            }
            let me = geteuid()
            if shared && st.st_uid != 0 && st.st_uid != me && st.st_uid != owner && st.st_uid != invokingUser?.uid {
                throw Refused(
                    description:
                        "cannot write \(path): it is a \(Self.kind(type)) of another user (uid \(st.st_uid)) in a directory others can write to; refusing"
                )
            }
            return type
        }

        /// FILE opened for writing in place, if it is a device, FIFO or socket
        /// (a FIFO's open waits for its reader, as cp's does); nil for the
        /// temporary-file-and-rename treatment.
        func openInPlace(_ path: String) throws -> Int32? {
            guard let type = try specialNode(path) else { return nil }
            let fd: Int32
            if type == S_IFSOCK {
                fd = try connectSocket(path)
            } else {
                fd = openat(self.fd, name, O_WRONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC)
                guard fd >= 0 else { throw SafeFile.refusedOpen(path) }
            }
            // Swapped for a regular file between the look and the open: never write into it in place.
            var st = stat()
            guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == type || type == S_IFSOCK else {
                close(fd)
                throw Refused(description: "cannot write \(path): it changed while being opened; nothing written")
            }
            return fd
        }

        /// A Unix socket at FILE: connected through an O_PATH descriptor of the
        /// node itself (/proc/self/fd/N), so no path is walked again.
        private func connectSocket(_ path: String) throws -> Int32 {
            let node = openat(fd, name, oPath | O_NOFOLLOW | O_CLOEXEC)
            guard node >= 0 else { throw SafeFile.refusedOpen(path) }
            defer { close(node) }
            var st = stat()
            guard fstat(node, &st) == 0, st.st_mode & S_IFMT == S_IFSOCK else {
                throw Refused(description: "cannot write \(path): it changed while being opened; nothing written")
            }
            var addr = sockaddr_un()
            addr.sun_family = sa_family_t(AF_UNIX)
            let proc = Array("/proc/self/fd/\(node)".utf8CString)
            withUnsafeMutableBytes(of: &addr.sun_path) { raw in
                for (i, c) in proc.enumerated() where i < raw.count { raw[i] = UInt8(bitPattern: c) }
            }
            for kind in [Int32(SOCK_STREAM.rawValue), Int32(SOCK_DGRAM.rawValue)] {
                let s = socket(AF_UNIX, kind | Int32(SOCK_CLOEXEC.rawValue), 0)
                guard s >= 0 else { throw SafeFile.refused(path) }
                let rc = withUnsafePointer(to: &addr) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        connect(s, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                    }
                }
                if rc == 0 { return s }
                let e = errno
                close(s)
                errno = e
                if e != EPROTOTYPE { break }
            }
            throw SafeFile.refused(path)
        }

        static func kind(_ type: mode_t) -> String {
            switch type {
            case S_IFCHR: return "character device"
            case S_IFIFO: return "FIFO"
            default: return "socket"
            }
        }

        /// Someone besides root and the caller may change its entries: it is
        /// world-writable, or group-writable and owned by another user.
        static func othersCanWrite(_ st: stat, me: uid_t) -> Bool {
            st.st_mode & S_IWOTH != 0 || (st.st_mode & S_IWGRP != 0 && st.st_uid != 0 && st.st_uid != me)
        }

        static func readLink(_ fd: Int32) -> String? {
            var buf = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let n = readlinkat(fd, "", &buf, buf.count - 1)
            guard n >= 0 else { return nil }
            return String(decoding: buf[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    // MARK: - Helpers

    /// Under sudo, the user who ran it (SUDO_UID and SUDO_GID, numeric, of a
    /// user that exists): the files thief makes are theirs, as if they had
    /// written them. nil when thief is not root or sudo did not say.
    public static let invokingUser: (uid: uid_t, gid: gid_t)? = {
        func env(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }
        guard geteuid() == 0, let u = env("SUDO_UID").flatMap({ uid_t($0) }),
            let g = env("SUDO_GID").flatMap({ gid_t($0) }), u != 0, getpwuid(u) != nil
        else { return nil }
        return (u, g)
    }()

    /// A file thief just made: the invoking user's, under sudo.
    static func giveToInvokingUser(_ fd: Int32) {
        if let who = invokingUser { _ = fchown(fd, who.uid, who.gid) }
    }

    /// An existing FILE thief adds to: a regular file of the caller's (or
    /// root's) with one link, so never a planted hard link to another file.
    static func checkAppendable(_ fd: Int32, _ path: String) throws -> stat {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw refused(path) }
        guard st.st_mode & S_IFMT == S_IFREG else {
            throw Refused(description: "cannot write \(path): not a regular file; refusing to append")
        }
        let me = geteuid()
        guard st.st_uid == me || st.st_uid == 0 || st.st_uid == invokingUser?.uid else {
            throw Refused(
                description: "cannot write \(path): it belongs to another user (uid \(st.st_uid)); refusing to append")
        }
        guard st.st_nlink == 1 else {
            throw Refused(
                description:
                    "cannot write \(path): it has \(st.st_nlink) hard links (another name for the same file); refusing to append"
            )
        }
        // Opened O_NONBLOCK so that a planted FIFO could not hang thief; a regular file does not need it.
        let flags = fcntl(fd, F_GETFL)
        if flags >= 0 { _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) }
        return st
    }

    static func readHead(_ fd: Int32) -> [UInt8] {
        var head = [UInt8](repeating: 0, count: 4096)
        let n = head.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        return n > 0 ? Array(head[..<n]) : []
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], _ path: String) throws {
        var done = 0
        while done < bytes.count {
            let n = bytes[done...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw refused(path) }
            done += n
        }
    }

    static func refused(_ path: String, missing: Bool = false) -> Refused {
        Refused(description: "cannot write \(path): \(String(cString: strerror(errno)))", missing: missing)
    }

    /// An open of FILE itself failed: a planted symlink says so plainly.
    static func refusedOpen(_ path: String) -> Refused {
        if errno == ELOOP {
            return Refused(description: "cannot write \(path): it is a symbolic link; refusing to write through it")
        }
        return refused(path)
    }
}

/// O_PATH (Linux, <bits/fcntl-linux.h>: 010000000 on every architecture thief
/// builds for); Glibc only defines it with _GNU_SOURCE, which Swift does not import.
private let oPath: Int32 = 0o10000000
/// AT_SYMLINK_NOFOLLOW (<fcntl.h>), imported by Glibc as a macro Swift may not see.
private let atSymlinkNoFollow: Int32 = 0x100
/// AT_EACCESS (<fcntl.h>): check with the effective ids, as the write will be made.
private let atEAccess: Int32 = 0x200
