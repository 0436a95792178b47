import CThiefSys
import FoundationEssentials
import Glibc
import ThiefWorkloads

/// The processes of `thief demo`'s scenario: a CPU-bound victim pinned to CPU 0
/// that is moved between CPUs, a competitor pinned to CPU 0, and a periodic
/// noisy neighbour.
///
/// They are not subcommands, so a user has no command line for them: `thief demo`
/// re-executes /proc/self/exe with no arguments and `THIEF_DEMO_ROLE=<role>` and
/// `THIEF_DEMO_SECONDS=<seconds>` in its environment, and `Thief.main` calls
/// `runIfRequested()` before it parses any argument; a process with the variable
/// runs its role and exits. (The test and benchmark workloads are in the separate
/// `thief-workloads` executable.)
enum DemoRole: String, CaseIterable {
    case victim, competitor, noisy

    static let roleVariable = "THIEF_DEMO_ROLE"
    static let secondsVariable = "THIEF_DEMO_SECONDS"

    func workload(seconds: Double) -> Workload {
        switch self {
        case .victim: return Workload(.victim, name: "victim", cpu: 0, seconds: seconds, flips: 6, intervalMs: 600)
        case .competitor: return Workload(.spin, name: "competitor", cpu: 0, seconds: seconds)
        case .noisy: return Workload(.periodic, name: "noisy", seconds: seconds, periodMs: 40, burstMs: 4)
        }
    }

    /// Starts this role as a child process for `seconds`.
    func start(seconds: Double) throws -> ChildProcess {
        var environment = ProcessInfo.processInfo.environment
        environment[Self.roleVariable] = rawValue
        environment[Self.secondsVariable] = String(seconds)
        return try ChildProcess.spawn(Self.executable(), [], environment: environment)
    }

    /// thief's own file, by its real path (its name, not "exe", is the
    /// role's until it names itself).
    static func executable() -> String {
        guard let real = realpath("/proc/self/exe", nil) else { return "/proc/self/exe" }
        defer { free(real) }
        return String(cString: real)
    }

    /// In a process `thief demo` started: runs its role to the end and exits.
    /// Elsewhere (no THIEF_DEMO_ROLE): returns at once.
    static func runIfRequested() {
        let environment = ProcessInfo.processInfo.environment
        guard let value = environment[roleVariable] else { return }
        guard let role = DemoRole(rawValue: value),
            let seconds = environment[secondsVariable].flatMap(Double.init), seconds.isFinite, seconds > 0
        else {
            stderrLine(
                "thief: error: \(roleVariable)=\(value) is internal to 'thief demo' (roles: "
                    + allCases.map(\.rawValue).joined(separator: ", ") + "; with \(secondsVariable)=SECONDS)")
            exit(ThiefExit.usage.rawValue)
        }
        // thief demo ends its roles; if thief itself is killed they go with it.
        guard thief_die_with_parent() == 0 else { exit(ThiefExit.ok.rawValue) }
        role.workload(seconds: seconds).run()
        exit(ThiefExit.ok.rawValue)
    }
}
