import Foundation
import ThiefCore

/// Checks run before anything is loaded, so that each failure is one clear line.
public enum Preflight {
    /// CAP_SYS_ADMIN, or CAP_BPF + CAP_PERFMON, in the effective set.
    public static func hasPrivileges() -> Bool {
        guard let hex = ProcFS.status(getpid())?["CapEff"], let caps = UInt64(hex, radix: 16) else {
            return geteuid() == 0
        }
        let sysAdmin: UInt64 = 1 << 21, perfmon: UInt64 = 1 << 38, bpf: UInt64 = 1 << 39
        return caps & sysAdmin != 0 || (caps & bpf != 0 && caps & perfmon != 0)
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

    public static func check(_ spec: TargetSpec) throws {
        switch spec {
        case .process(let pid):
            guard pid > 0, ProcFS.exists(pid) else {
                throw TracerError(.noTarget, "no process with PID \(pid) (is it running? check with: ps -p \(pid))")
            }
            try notSelf(ProcFS.tgid(of: pid) ?? pid)
        case .threads(let tids):
            for tid in tids where !(tid > 0 && ProcFS.exists(tid)) {
                throw TracerError(.noTarget, "no thread with TID \(tid)")
            }
            for tid in tids { try notSelf(ProcFS.tgid(of: tid) ?? tid) }
        case .processes(let pids, _):
            for pid in pids where !(pid > 0 && ProcFS.exists(pid)) {
                throw TracerError(.noTarget, "no process with PID \(pid) (is it running? check with: ps -p \(pid))")
            }
            for pid in pids { try notSelf(ProcFS.tgid(of: pid) ?? pid) }
        case .command(let argv):
            guard !argv.isEmpty else { throw TracerError(.launch, "no command given after --") }
        case .cgroup, .comm:
            break
        }
        guard hasPrivileges() else {
            throw TracerError(
                .permission,
                "permission denied: thief loads eBPF programs and needs root (sudo thief …) or CAP_BPF and CAP_PERFMON")
        }
        guard FileManager.default.isReadableFile(atPath: btfPath) else {
            throw TracerError(
                .noBTF, "no kernel BTF at \(btfPath): thief needs a kernel built with CONFIG_DEBUG_INFO_BTF=y")
        }
    }
}
