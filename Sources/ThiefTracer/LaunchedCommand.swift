import CThiefSys
import Foundation

/// A command thief launches (`thief -- CMD`): forked before anything is
/// loaded, held before exec until tracing is live, then reaped when it exits
/// or stopped when the run ends first.
final class LaunchedCommand {
    let pid: pid_t
    /// argv[0], for messages.
    private let name: String
    /// The pipes of the held child (-1 once released).
    private var go: Int32, err: Int32
    private(set) var reaped = false
    /// Its exit status once reaped (128 + N after signal N).
    private(set) var status: Int32?

    private init(pid: pid_t, go: Int32, err: Int32, name: String) {
        self.pid = pid
        self.go = go
        self.err = err
        self.name = name
    }

    /// Forks the command of a `.command` target, held before exec; nil for other targets.
    static func spawn(_ target: TargetSpec) throws -> LaunchedCommand? {
        guard case .command(let argv) = target else { return nil }
        var cargs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { cargs.forEach { free($0) } }
        var pid: pid_t = 0, go: Int32 = -1, err: Int32 = -1
        try TracerError.check(
            thief_spawn_paused(&cargs, &pid, &go, &err), .launch, "cannot start \(argv[0])", from: .sys)
        return LaunchedCommand(pid: pid, go: go, err: err, name: argv[0])
    }

    /// Lets it exec. If exec failed, reaps it and throws.
    func release() throws {
        let e = thief_spawn_release(go, err)
        go = -1
        err = -1
        guard e != 0 else { return }
        var st: Int32 = 0
        waitpid(pid, &st, 0)
        reaped = true
        throw TracerError(.launch, "cannot run '\(name)': \(String(cString: strerror(e)))")
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
    /// workload (SIGTERM; SIGKILL if it is still there a second later).
    func stop() {
        guard !reaped else { return }
        kill(pid, SIGTERM)
        var st: Int32 = 0
        for _ in 0..<20 {
            if waitpid(pid, &st, WNOHANG) == pid {
                reaped = true
                break
            }
            usleep(50_000)
        }
        if !reaped {
            kill(pid, SIGKILL)
            waitpid(pid, &st, 0)
            reaped = true
        }
        status = Self.exitStatus(st)
    }

    /// On an error path: never leave a held or orphaned child behind.
    func abandon() {
        guard !reaped else { return }
        close(go)
        kill(pid, SIGKILL)
        var st: Int32 = 0
        waitpid(pid, &st, 0)
    }

    static func exitStatus(_ st: Int32) -> Int32 {
        let sig = st & 0x7f
        return sig == 0 ? (st >> 8) & 0xff : 128 + sig
    }
}
