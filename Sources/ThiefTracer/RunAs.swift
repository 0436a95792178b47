import FoundationEssentials
import Glibc

/// Who a launched command (`thief -- CMD`) runs as.
public enum RunAs: Sendable, Equatable {
    /// Under `sudo` (thief is root and SUDO_UID is set): the user who ran sudo,
    /// with the gid sudo passed in SUDO_GID. Otherwise thief's own identity.
    case invoker
    /// `--as-root`: keep root (thief must be root).
    case root
    /// `--user NAME`: this user, with its primary group (thief must be root).
    case user(String)
}

/// The identity a launched command takes between fork and exec: resolved
/// before the fork, since the child may not look users up.
struct Credentials: Equatable {
    var name: String
    var uid: uid_t
    var gid: gid_t
    /// Its supplementary groups (getgrouplist: the group database's and gid).
    var groups: [gid_t]
    var home: String
    /// Set HOME, USER and LOGNAME from the passwd entry even when the
    /// environment has other values (`--user`); else only where missing or root's.
    var replaceEnvironment: Bool

    var who: String { "\(name) (uid \(uid), gid \(gid))" }
}

extension RunAs {
    /// The identity to drop to; nil keeps thief's. A bad SUDO_UID/SUDO_GID, an
    /// unknown user, or `--user`/`--as-root` without root is a TracerError.
    func credentials(
        environment: [String: String] = ProcessInfo.processInfo.environment, euid: uid_t = geteuid()
    ) throws -> Credentials? {
        switch self {
        case .root:
            guard euid == 0 else {
                throw TracerError(
                    .permission,
                    "--as-root: thief is not root (uid \(euid)), so the command runs as uid \(euid); drop --as-root")
            }
            return nil
        case .user(let name):
            guard euid == 0 else {
                throw TracerError(
                    .permission,
                    "--user \(name): only root can run the command as another user (thief runs as uid \(euid)); "
                        + "use sudo thief --user \(name) …")
            }
            guard let pw = Passwd(name: name) else {
                throw TracerError(.launch, "--user \(name): no such user (check with: getent passwd \(name))")
            }
            return pw.uid == 0 ? nil : try Self.credentials(pw, gid: pw.gid, replaceEnvironment: true)
        case .invoker:
            guard euid == 0, let rawUID = environment["SUDO_UID"] else { return nil }
            guard let uid = Self.numericID(rawUID) else {
                throw TracerError(
                    .launch,
                    "SUDO_UID='\(rawUID)' is not a numeric user id (sudo sets it to the invoking user's); "
                        + "unset it, or choose with --as-root or --user NAME")
            }
            guard let pw = Passwd(uid: uid) else {
                throw TracerError(
                    .launch,
                    "SUDO_UID=\(uid) is no user of this system (getpwuid found none); "
                        + "unset it, or choose with --as-root or --user NAME")
            }
            var gid = pw.gid
            if let rawGID = environment["SUDO_GID"] {
                guard let g = Self.numericID(rawGID) else {
                    throw TracerError(
                        .launch,
                        "SUDO_GID='\(rawGID)' is not a numeric group id (sudo sets it to the invoking user's); "
                            + "unset it, or choose with --as-root or --user NAME")
                }
                gid = g
            }
            return uid == 0 ? nil : try Self.credentials(pw, gid: gid, replaceEnvironment: false)
        }
    }

    /// Decimal digits only (no sign, no spaces), below uid_t's -1 (which means "no change" to setuid).
    static func numericID(_ text: String) -> UInt32? {
        guard !text.isEmpty, text.utf8.count <= 10, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            let v = UInt32(text), v != UInt32.max
        else { return nil }
        return v
    }

    private static func credentials(_ pw: Passwd, gid: gid_t, replaceEnvironment: Bool) throws -> Credentials {
        Credentials(
            name: pw.name, uid: pw.uid, gid: gid, groups: try groups(of: pw.name, gid: gid), home: pw.home,
            replaceEnvironment: replaceEnvironment)
    }

    /// The user's supplementary groups, `gid` included (what initgroups would set).
    private static func groups(of name: String, gid: gid_t) throws -> [gid_t] {
        var count: Int32 = 32
        for _ in 0..<8 {
            var list = [gid_t](repeating: 0, count: Int(count))
            let want = count
            if getgrouplist(name, gid, &list, &count) >= 0 { return Array(list.prefix(Int(count))) }
            count = max(count, want * 2)
        }
        throw TracerError(.launch, "cannot list the groups of user \(name) (getgrouplist)")
    }
}

/// One passwd entry (getpwnam_r/getpwuid_r).
struct Passwd {
    var name: String
    var uid: uid_t
    var gid: gid_t
    var home: String

    init?(name: String) {
        guard let e = Self.lookup({ getpwnam_r(name, &$0, $1, $2, &$3) }) else { return nil }
        self = e
    }

    init?(uid: uid_t) {
        guard let e = Self.lookup({ getpwuid_r(uid, &$0, $1, $2, &$3) }) else { return nil }
        self = e
    }

    private init(name: String, uid: uid_t, gid: gid_t, home: String) {
        self.name = name
        self.uid = uid
        self.gid = gid
        self.home = home
    }

    private static func lookup(
        _ call: (inout passwd, UnsafeMutablePointer<CChar>, Int, inout UnsafeMutablePointer<passwd>?) -> Int32
    ) -> Passwd? {
        var size = 1024
        while size <= 1 << 20 {
            var pw = passwd()
            var result: UnsafeMutablePointer<passwd>?
            let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: size)
            defer { buffer.deallocate() }
            let rc = call(&pw, buffer, size, &result)
            if rc == ERANGE {
                size *= 2
                continue
            }
            guard rc == 0, result != nil else { return nil }
            return Passwd(
                name: String(cString: pw.pw_name), uid: pw.pw_uid, gid: pw.pw_gid, home: String(cString: pw.pw_dir))
        }
        return nil
    }
}

extension Credentials {
    /// The command's environment as strdup'd "KEY=VALUE" strings (the caller
    /// frees them): thief's, byte for byte as sudo passed it, except HOME,
    /// USER and LOGNAME, which name this user where they are missing, empty or
    /// root's (sudo sets them to root's), or always with `replaceEnvironment`.
    func environment() -> [UnsafeMutablePointer<CChar>?] {
        let rootHome = Passwd(uid: 0)?.home ?? "/root"
        let wanted = ["HOME": home, "USER": name, "LOGNAME": name]
        var seen = Set<String>()
        var out: [UnsafeMutablePointer<CChar>?] = []
        var p = environ
        while let entry = p.pointee {
            p += 1
            let text = String(cString: entry)
            guard let eq = text.firstIndex(of: "="), let value = wanted[String(text[..<eq])] else {
                out.append(strdup(entry))
                continue
            }
            let key = String(text[..<eq])
            guard seen.insert(key).inserted else { continue }
            let old = String(text[text.index(after: eq)...])
            let namesRoot = key == "HOME" ? old == rootHome : old == "root"
            out.append(replaceEnvironment || namesRoot || old.isEmpty ? strdup("\(key)=\(value)") : strdup(entry))
        }
        for key in ["HOME", "USER", "LOGNAME"] where !seen.contains(key) {
            out.append(strdup("\(key)=\(wanted[key] ?? "")"))
        }
        return out
    }
}
