import FoundationEssentials
import Glibc

/// A helper process (systemctl, a demo role), started with posix_spawn as
/// Foundation's Process started it: in a process group of its own, with
/// thief's environment unless given one, stdin and stdout inherited unless
/// redirected, and no descriptor of thief's above stderr. (Process needs full
/// Foundation, which links ICU's 34 MB of data into thief.)
struct ChildProcess {
    struct SpawnFailed: Error, CustomStringConvertible {
        let description: String
    }

    let pid: pid_t
    private(set) var status: Int32?

    /// Starts `path` (argv[0]) with `arguments`. `stdout`: a descriptor to
    /// be its stdout; `quiet`: its stderr goes to /dev/null.
    static func spawn(
        _ path: String, _ arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment,
        stdout: Int32? = nil, quiet: Bool = false
    ) throws -> ChildProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let stdout { posix_spawn_file_actions_adddup2(&actions, stdout, STDOUT_FILENO) }
        if quiet { posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0) }
        for fd in openDescriptors() where fd > STDERR_FILENO { posix_spawn_file_actions_addclose(&actions, fd) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)

        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard rc == 0 else { throw SpawnFailed(description: "\(path): \(String(cString: strerror(rc)))") }
        return ChildProcess(pid: pid)
    }

    /// Asks it to end (SIGTERM), unless it was already reaped.
    func terminate() {
        if status == nil { kill(pid, SIGTERM) }
    }

    /// Waits for it to end; its exit status (128 + N after signal N).
    @discardableResult
    mutating func wait() -> Int32 {
        if let status { return status }
        var st: Int32 = 0
        while waitpid(pid, &st, 0) < 0 && errno == EINTR {}
        let sig = st & 0x7f
        let s = sig == 0 ? (st >> 8) & 0xff : 128 + sig
        status = s
        return s
    }

    /// The descriptors open in thief now (the child closes those above stderr).
    private static func openDescriptors() -> [Int32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []).compactMap { Int32($0) }
    }
}
