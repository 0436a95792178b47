import FoundationEssentials
import Glibc

/// Where `thief watch` writes its captures (`--dir DIR`), by SafeFile's rules:
/// DIR is reached without following links others planted. A capture is
/// built in a new hidden directory (`.NAME.RANDOM.tmp`, mode 0700, files
/// created O_EXCL | O_NOFOLLOW inside it), then renamed to NAME when complete,
/// and only if nothing is there: a reader of DIR never sees half a capture.
/// `--keep` removes only captures this watch made, recognised by device and
/// inode, and only the files it wrote in them: anything else in DIR (planted
/// links, other directories with the same prefix, files added to a capture)
/// is left alone.
public final class CaptureDirectory {
    public let path: String
    private let fd: Int32
    /// Created directories get 0777 minus the umask (files 0666 minus it).
    private let mode: mode_t

    /// A capture this watch made: its name, identity and files.
    public struct Made: Sendable, Equatable {
        public var name: String
        var dev: UInt64
        var ino: UInt64
        var files: [String]
    }

    public init(_ path: String) throws {
        self.path = path
        // DIR itself, opened (O_PATH) by SafeFile's walk: its rules apply to DIR too.
        do { fd = try SafeFile.Directory(path + "/.thief-watch").fd } catch let e as SafeFile.Refused {
            // Say DIR, not the name the walk was given inside it.
            throw SafeFile.Refused(
                description: e.description.replacing(path + "/.thief-watch", with: path),
                missing: e.missing)
        }
        let old = umask(0o022)
        umask(old)
        mode = 0o777 & ~old
    }

    deinit { close(fd) }

    /// A capture being written.
    public final class Pending {
        let parent: CaptureDirectory
        let tmp: String
        private let fd: Int32
        private var files: [String] = []
        private var done = false

        init(parent: CaptureDirectory, tmp: String, fd: Int32) {
            self.parent = parent
            self.tmp = tmp
            self.fd = fd
        }

        deinit {
            if !done { abandon() }
            close(fd)
        }

        /// Writes FILE in the capture: created new, written, fsync'd.
        public func write(_ name: String, _ bytes: [UInt8]) throws {
            let f = openat(fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0o666)
            guard f >= 0 else { throw SafeFile.refused("\(parent.path)/\(tmp)/\(name)") }
            defer { close(f) }
            files.append(name)
            SafeFile.giveToInvokingUser(f)
            try SafeFile.writeAll(f, bytes, "\(parent.path)/\(tmp)/\(name)")
            guard fsync(f) == 0 else { throw SafeFile.refused("\(parent.path)/\(tmp)/\(name)") }
        }

        /// Renames the capture to `name` (or `name-2`, `-3`… if something is
        /// already there) and returns what it made.
        public func commit(as name: String) throws -> Made {
            _ = fchmod(fd, parent.mode)
            var st = stat()
            guard fstat(fd, &st) == 0 else { throw SafeFile.refused("\(parent.path)/\(tmp)") }
            for n in 1...100 {
                let final = n == 1 ? name : "\(name)-\(n)"
                var other = stat()
                if fstatat(parent.fd, final, &other, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT { continue }
                guard renameat(parent.fd, tmp, parent.fd, final) == 0 else {
                    throw SafeFile.refused("\(parent.path)/\(final)")
                }
                done = true
                parent.syncEntries()
                return Made(name: final, dev: UInt64(st.st_dev), ino: UInt64(st.st_ino), files: files)
            }
            errno = EEXIST
            throw SafeFile.refused("\(parent.path)/\(name)")
        }

        /// Removes what was written so far (a capture that failed).
        public func abandon() {
            for f in files { unlinkat(fd, f, 0) }
            unlinkat(parent.fd, tmp, AT_REMOVEDIR)
            done = true
        }
    }

    /// fsync DIR: the rename is on disk.
    func syncEntries() {
        let d = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if d >= 0 {
            _ = fsync(d)
            close(d)
        }
    }

    /// Starts a capture to be named `name` once complete.
    public func begin(_ name: String) throws -> Pending {
        var attempts = 0
        while true {
            let tmp = SafeFile.AtomicWriter.temporaryName(name)
            if mkdirat(fd, tmp, 0o700) == 0 {
                let d = openat(fd, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                guard d >= 0 else {
                    unlinkat(fd, tmp, AT_REMOVEDIR)
                    throw SafeFile.refused("\(path)/\(tmp)")
                }
                SafeFile.giveToInvokingUser(d)
                return Pending(parent: self, tmp: tmp, fd: d)
            }
            attempts += 1
            guard errno == EEXIST, attempts < 100 else { throw SafeFile.refused("\(path)/\(name)") }
        }
    }

    /// Removes a capture this watch made: only if DIR's entry of that name is
    /// still that directory, and only the files it wrote there. Returns
    /// false (and leaves it) otherwise, or if anything else is inside.
    @discardableResult
    public func remove(_ made: Made) -> Bool {
        let d = openat(fd, made.name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard d >= 0 else { return false }
        defer { close(d) }
        var st = stat()
        guard fstat(d, &st) == 0, UInt64(st.st_dev) == made.dev, UInt64(st.st_ino) == made.ino else { return false }
        for f in made.files {
            var fst = stat()
            // A file of ours is a regular file; a link planted in its place is not removed.
            guard fstatat(d, f, &fst, AT_SYMLINK_NOFOLLOW) == 0, fst.st_mode & S_IFMT == S_IFREG else { continue }
            unlinkat(d, f, 0)
        }
        return unlinkat(fd, made.name, AT_REMOVEDIR) == 0
    }

    /// A file-name-safe part: letters, digits, '.', '_' and '-', at most 40.
    public static func namePart(_ s: String) -> String {
        let kept = s.unicodeScalars.map { c -> Character in
            ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || c == "." || c == "_"
                || c == "-"
                ? Character(c) : "_"
        }
        let out = String(kept.prefix(40))
        return out.isEmpty || out.hasPrefix(".") ? "_" + out : out
    }
}
