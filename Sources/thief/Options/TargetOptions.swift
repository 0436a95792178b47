import ArgumentParser
import FoundationEssentials
import Glibc
import ThiefCore
import ThiefTracer

/// What to trace: processes (-p, --children), threads (-t), a cgroup
/// (--cgroup, --unit), a command name (--comm), or a command (-- CMD ARGS).
struct TargetOptions: ParsableArguments {
    @Option(
        name: [.short, .long],
        help: ArgumentHelp(
            "Trace every thread of these processes, including threads they create.",
            valueName: "pid[,pid...]"), transform: TargetOptions.parsePIDs)
    var pid: [Int32]?

    @Flag(help: "With -p: their descendants too, those that exist and those forked during the run.")
    var children = false

    @Option(
        name: [.short, .customLong("tid")], help: "Trace these threads only (TID[,TID...]).",
        transform: TargetOptions.parseTIDs)
    var tids: [Int32]?

    @Option(
        help: ArgumentHelp(
            "Trace every task of this cgroup v2 directory and the cgroups below it, including tasks that join during the run "
                + "(absolute, or relative to the cgroup v2 mount: a path from /proc/PID/cgroup works).",
            valueName: "path"))
    var cgroup: String?

    @Option(help: ArgumentHelp("Trace a systemd unit: its cgroup (needs systemd).", valueName: "name.service"))
    var unit: String?

    @Option(
        help: ArgumentHelp(
            "Trace every process with exactly this command name (as pgrep -x), and any forked or exec'd with it during the run.",
            valueName: "name"))
    var comm: String?

    @Flag(
        help:
            "With --comm: trace even if none runs yet; each one that starts is traced from its exec (-d counts from now; none by the end: exit 2)."
    )
    var wait = false

    @Flag(
        name: .customLong("as-root"),
        help: "With -- CMD under sudo: run the command as root, not as the user who ran sudo.")
    var asRoot = false

    @Option(
        help: ArgumentHelp(
            "With -- CMD: run the command as this user (its groups, HOME, USER, LOGNAME); thief must be root.",
            valueName: "name"))
    var user: String?

    @Argument(parsing: .postTerminator, help: "A command to launch and trace, after --.")
    var command: [String] = []

    static func parseTIDs(_ text: String) throws -> [Int32] {
        do { return try ThreadList.parse(text) } catch { throw ValidationError(error.description) }
    }

    static func parsePIDs(_ text: String) throws -> [Int32] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        let pids = parts.compactMap { Int32($0.trimming(.whitespaces)) }
        guard !parts.isEmpty, pids.count == parts.count else {
            throw ValidationError("invalid process list '\(text)': use PID[,PID…]")
        }
        if let bad = pids.first(where: { $0 <= 0 }) { throw ValidationError("invalid PID \(bad)") }
        return ThreadList.unique(pids)
    }

    func validate() throws {
        let kinds = [pid != nil, tids != nil, cgroup != nil, unit != nil, comm != nil, !command.isEmpty]
        let chosen = kinds.filter { $0 }.count
        if chosen == 0 {
            throw ValidationError(
                "say what to trace: -p PID, -t TID[,TID…], --cgroup PATH, --unit NAME, --comm NAME or -- CMD ARGS")
        }
        if chosen > 1 { throw ValidationError("-p, -t, --cgroup, --unit, --comm and -- CMD are exclusive: choose one") }
        if children && pid == nil { throw ValidationError("--children goes with -p PID") }
        if wait && comm == nil { throw ValidationError("--wait goes with --comm NAME") }
        if asRoot && user != nil { throw ValidationError("--as-root and --user are exclusive: choose one") }
        if command.isEmpty, asRoot || user != nil {
            throw ValidationError("\(asRoot ? "--as-root" : "--user") goes with a command to launch (-- CMD ARGS)")
        }
        if let user, user.isEmpty { throw ValidationError("--user needs a user name") }
        if let comm, comm.isEmpty || comm.utf8.count > 15 || comm.contains("/") {
            throw ValidationError("invalid command name '\(comm)': 1 to 15 bytes, as /proc/PID/comm shows it")
        }
    }

    /// Whom a launched command runs as.
    var runAs: RunAs { asRoot ? .root : user.map { .user($0) } ?? .invoker }

    /// The target; a cgroup, unit or command name that cannot be found is exit 2.
    /// `quiet` (-q): no "none yet" line for --comm --wait either, only errors.
    func spec(quiet: Bool) throws -> TargetSpec {
        if let pid { return pid.count == 1 && !children ? .process(pid[0]) : .processes(pid, children: children) }
        if let tids { return .threads(tids) }
        if let cgroup { return .cgroup(try Self.cgroup(cgroup)) }
        if let unit { return .cgroup(try Self.cgroup(try SystemdUnit.cgroup(of: unit))) }
        if let comm { return .comm(try Self.waitForComm(comm, wait: wait, quiet: quiet)) }
        return .command(command)
    }

    private static func cgroup(_ path: String) throws -> CgroupV2 {
        do { return try CgroupV2.resolve(path) } catch let e as CgroupV2.Invalid {
            throw fail(e.description, ThiefExit.cannotMeasure)
        }
    }

    /// With --wait and none running yet, tracing starts at once: the kernel
    /// side takes in each process that execs with the name from its exec (polling
    /// /proc first, then loading the tracer, missed its first ~100 ms to 1 s).
    private static func waitForComm(_ name: String, wait: Bool, quiet: Bool) throws -> String {
        if !ProcFS.processes(named: name, except: getpid()).isEmpty { return name }
        guard wait else {
            throw fail(
                "no process named '\(name)' is running (check with: pgrep -x \(name)); --wait waits for one",
                ThiefExit.cannotMeasure)
        }
        if !quiet {
            stderrLine(
                "thief: no process named '\(name)' yet: each one that starts is traced from its exec (Ctrl+C to stop)")
        }
        return name
    }
}
