import CThiefSys
import FoundationEssentials
import Glibc

/// A command thief launches (`thief -- CMD`): forked before anything is
/// loaded, held before exec until tracing is live, then reaped when it exits
/// or stopped when the run ends first.
final class LaunchedCommand {
    let pid: pid_t
    /// argv[0], for messages.
    private let name: String
    /// Whom it runs as, for messages ("" when thief's own identity).
    private let who: String
    /// The pipes of the held child (-1 once released).
    private var go: Int32, err: Int32
    private(set) var reaped = false {
        didSet {
            // Once it is gone, the terminal is thief's again (for the report).
            if reaped && hasTerminal {
                hasTerminal = false
                thief_tty_take_back()
            }
        }
    }
    /// Its exit status once reaped (128 + N after signal N).
    private(set) var status: Int32?
    /// Its group holds the terminal (thief_tty_give) until it is reaped.
    private var hasTerminal = false

    private init(pid: pid_t, go: Int32, err: Int32, name: String, who: String) {
        self.pid = pid
        self.go = go
        self.err = err
        self.name = name
        self.who = who
    }

    /// Forks the command of a `.command` target, held before exec; nil for
    /// other targets. With `credentials`, the child becomes that user (groups,
    /// gid, uid) once released, before exec.
    static func spawn(_ target: TargetSpec, as credentials: Credentials? = nil) throws -> LaunchedCommand? {
        guard case .command(let argv) = target else { return nil }
        var cargs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { cargs.forEach { free($0) } }
        var pid: pid_t = 0, go: Int32 = -1, err: Int32 = -1
        if let c = credentials {
            var env = c.environment() + [nil]
            defer { env.forEach { free($0) } }
            let groups = c.groups
            let rc = groups.withUnsafeBufferPointer { g in
                var runAs = thief_run_as(uid: c.uid, gid: c.gid, groups: g.baseAddress, ngroups: Int32(g.count))
                return thief_spawn_paused(&cargs, &env, &runAs, &pid, &go, &err)
            }
            try TracerError.check(rc, .launch, "cannot start \(argv[0])", from: .sys)
        } else {
            try TracerError.check(
                thief_spawn_paused(&cargs, nil, nil, &pid, &go, &err), .launch, "cannot start \(argv[0])", from: .sys)
        }
        return LaunchedCommand(
            pid: pid, go: go, err: err, name: argv[0], who: credentials.map { " as \($0.who)" } ?? "")
    }

    /// Lets it exec. If dropping to its user or exec failed, reaps it and throws.
    func release() throws {
        hasTerminal = thief_tty_give(pid) == 1
        let rc = thief_spawn_release(go, err)
        go = -1
        err = -1
        guard rc < 0 else { return }
        var st: Int32 = 0
        waitpid(pid, &st, 0)
        reaped = true
        var message = String(cString: thief_sys_last_error())
        if message.isEmpty { message = String(cString: strerror(-rc)) }
        throw TracerError(.launch, "cannot run '\(name)'\(who): \(message)")
    }

    /// Reaps it if it has exited, without waiting: true then.
    func reapIfExited() -> Bool {
        guard !reaped else { return false }
        var st: Int32 = 0
        guard waitpid(pid, &st, WNOHANG) == pid else { return false }
        reaped = true
        status = Self.exitStatus(st)
        return true
    }

    /// The run ended before the command: stop it, as perf does with its
    /// workload (SIGTERM; SIGKILL if it is still there a second later). The
    /// signals go to the process group thief made for it (its PID), so what
    /// it started in the background (`sh -c 'yes & sleep 10'`) stops too;
    /// a process that made a group or session of its own is not reached.
    func stop() {
        guard !reaped else { return }
        kill(-pid, SIGTERM)
        var st: Int32 = 0
        for _ in 0..<20 {
            if waitpid(pid, &st, WNOHANG) == pid {
                reaped = true
                break
            }
            usleep(50_000)
        }
        if !reaped {
            kill(-pid, SIGKILL)
            waitpid(pid, &st, 0)
            reaped = true
        }
        status = Self.exitStatus(st)
    }

    /// On an error path: never leave a held or orphaned child behind.
    func abandon() {
        guard !reaped else { return }
        close(go)
        kill(-pid, SIGKILL)
        var st: Int32 = 0
        waitpid(pid, &st, 0)
        reaped = true
    }

    static func exitStatus(_ st: Int32) -> Int32 {
        let sig = st & 0x7f
        return sig == 0 ? (st >> 8) & 0xff : 128 + sig
    }
}
