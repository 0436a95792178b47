import FoundationEssentials
import Glibc
import ThiefCore

/// Checks run before anything is loaded, so that each failure is one clear line.
public enum Preflight {
    /// The capabilities thief checks for, by their bit in /proc/PID/status's Cap* masks.
    public enum Capability: Int, CaseIterable, Sendable {
        case sysAdmin = 21, perfmon = 38, bpf = 39

        public var name: String {
            switch self {
            case .sysAdmin: "CAP_SYS_ADMIN"
            case .perfmon: "CAP_PERFMON"
            case .bpf: "CAP_BPF"
            }
        }
        var bit: UInt64 { 1 << UInt64(rawValue) }
    }

    /// A Cap* mask of this process (CapEff, CapPrm, CapBnd); nil when /proc does not say.
    static func capabilities(_ field: String = "CapEff") -> UInt64? {
        ProcFS.status(getpid())?[field].flatMap { UInt64($0, radix: 16) }
    }

    public static func has(_ cap: Capability) -> Bool {
        guard let caps = capabilities() else { return geteuid() == 0 }
        return caps & cap.bit != 0
    }

    /// CAP_SYS_ADMIN, or CAP_BPF + CAP_PERFMON, in the effective set.
    public static func hasPrivileges() -> Bool { missingCapabilities().isEmpty }

    /// What tracing lacks: empty with CAP_SYS_ADMIN or both CAP_BPF and
    /// CAP_PERFMON; else which of CAP_BPF and CAP_PERFMON are not effective.
    public static func missingCapabilities() -> [Capability] {
        if has(.sysAdmin) { return [] }
        return [.bpf, .perfmon].filter { !has($0) }
    }

    /// This executable, for the setcap line.
    static var executablePath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// One line: which capability is missing, and the two ways to get it.
    public static func missingCapabilityMessage(_ missing: [Capability]) -> String {
        let names = missing.map(\.name).joined(separator: " and ")
        var why = ""
        let lastCap = ProcFS.read("/proc/sys/kernel/cap_last_cap").flatMap {
            Int($0.trimming(.whitespacesAndNewlines))
        }
        if let lastCap, lastCap < Capability.bpf.rawValue {
            // Kernels before 5.8 have neither: only CAP_SYS_ADMIN loads tracing programs there.
            return "permission denied: missing CAP_SYS_ADMIN: this kernel (before 5.8) has no CAP_BPF or CAP_PERFMON, "
                + "so thief needs root: sudo thief …"
        }
        if let bounding = capabilities("CapBnd"), missing.contains(where: { bounding & $0.bit == 0 }) {
            why =
                " (not in this process's bounding set, so file capabilities cannot give it: "
                + "a container or a service's CapabilityBoundingSet= dropped it)"
        } else if let permitted = capabilities("CapPrm"), missing.allSatisfy({ permitted & $0.bit != 0 }) {
            why = " (permitted but not effective: use +ep, not +p)"
        }
        return "permission denied: missing \(names)\(why): thief loads eBPF programs (CAP_BPF) that read "
            + "scheduler events (CAP_PERFMON); run it as root (sudo thief …) or give it both: "
            + "sudo setcap cap_bpf,cap_perfmon+ep \(executablePath)"
    }

    public static var btfPath: String {
        ProcessInfo.processInfo.environment["THIEF_SYSFS_BTF"] ?? "/sys/kernel/btf/vmlinux"
    }

    /// thief tracing itself would trace its own consumer's wake-ups: a
    /// feedback loop, not a measurement.
    static func notSelf(_ tgid: Int32) throws {
        if tgid == getpid() {
            throw TracerError(.noTarget, "PID \(tgid) is this thief process itself; trace another process")
        }
    }

    /// Checks the target, the privileges and the kernel before anything is
    /// loaded. Returns whom a launched command drops to (nil: thief's own identity).
    static func check(_ options: TracerOptions, features: KernelFeatures) throws -> Credentials? {
        try checkTarget(options.target)
        let missing = missingCapabilities()
        guard missing.isEmpty else { throw TracerError(.permission, missingCapabilityMessage(missing)) }
        if options.selfCost, !selfCostAvailable {
            throw TracerError(
                .permission,
                "permission denied: --self-cost needs CAP_SYS_ADMIN to turn on the kernel's BPF run-time "
                    + "statistics (BPF_ENABLE_STATS); run as root, have root turn them on "
                    + "(sysctl kernel.bpf_stats_enabled=1), or drop --self-cost")
        }
        guard FileManager.default.isReadableFile(atPath: btfPath) else {
            if FileManager.default.fileExists(atPath: btfPath) {
                throw TracerError(
                    .permission,
                    "permission denied: cannot read the kernel's BTF at \(btfPath) as uid \(geteuid()); "
                        + "thief needs it readable (it is mode 0444 on most systems), or run as root")
            }
            throw TracerError(
                .noBTF,
                "no kernel BTF at \(btfPath): thief needs a kernel built with CONFIG_DEBUG_INFO_BTF=y "
                    + "(this kernel: \(Host.kernel))")
        }
        if let floor = features.floorMessage(kernel: Host.kernel) {
            throw TracerError(features.btf ? .kernel : .noBTF, floor)
        }
        guard case .command = options.target else { return nil }
        return try options.runAs.credentials()
    }

    /// --self-cost turns the kernel's BPF statistics on (CAP_SYS_ADMIN), unless root already did.
    static var selfCostAvailable: Bool { has(.sysAdmin) || bpfStatsEnabled }

    static var bpfStatsEnabled: Bool {
        ProcFS.read("/proc/sys/kernel/bpf_stats_enabled")?.trimming(.whitespacesAndNewlines) == "1"
    }

    static func checkTarget(_ spec: TargetSpec) throws {
        switch spec {
        case .process(let pid):
            try exists(pid, "process", "PID")
            try notSelf(ProcFS.tgid(of: pid) ?? pid)
        case .threads(let tids):
            for tid in tids { try exists(tid, "thread", "TID") }
            for tid in tids { try notSelf(ProcFS.tgid(of: tid) ?? tid) }
        case .processes(let pids, _):
            for pid in pids { try exists(pid, "process", "PID") }
            for pid in pids { try notSelf(ProcFS.tgid(of: pid) ?? pid) }
        case .command(let argv):
            guard !argv.isEmpty else { throw TracerError(.launch, "no command given after --") }
        case .cgroup, .comm:
            break
        }
    }

    /// A task thief can see in /proc. One that exists but /proc hides (a
    /// /proc mounted with hidepid=, as another user) is said so.
    private static func exists(_ id: Int32, _ what: String, _ label: String) throws {
        if id > 0, ProcFS.exists(id) { return }
        if id > 0, kill(id, 0) == 0 || errno == EPERM {
            throw TracerError(
                .permission,
                "permission denied: \(what) \(id) exists but /proc does not show it to uid \(geteuid()) "
                    + "(/proc mounted with hidepid=); run thief as root")
        }
        throw TracerError(
            .noTarget,
            what == "thread"
                ? "no thread with TID \(id)" : "no process with \(label) \(id) (is it running? check with: ps -p \(id))"
        )
    }
}
