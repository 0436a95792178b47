/// A live run's names for its culprits, read outside the event stream just
/// before a window is reported: the paths of their v2 cgroups, the kernel
/// symbols of the work functions kworkers ran, and the CPU lists the
/// kernel's mask could not hold. What it found accumulates in `names`, which
/// the report and the recording's trailer both use.
public final class CulpritNamer {
    public private(set) var names = CulpritNames()
    private let cgroups: CgroupPaths
    private let kallsyms: (Set<UInt64>) -> KernelSymbols?
    private let status: (UInt32) -> String?
    private var unnamed: Set<UInt64> = []

    /// `kallsyms` is called with each batch of work-function addresses that
    /// need a name (a pass over /proc/kallsyms that keeps just those);
    /// `status` gives a task's Cpus_allowed_list.
    public init(
        cgroups: CgroupPaths = CgroupPaths(),
        kallsyms: @escaping (Set<UInt64>) -> KernelSymbols? = { KernelSymbols.load(only: $0) },
        status: @escaping (UInt32) -> String? = CulpritNamer.cpusAllowedList
    ) {
        self.cgroups = cgroups
        self.kallsyms = kallsyms
        self.status = status
    }

    /// Names what `window`'s report will show; returns every name so far.
    @discardableResult
    public func name(_ window: Window, cpuBound: Int) -> CulpritNames {
        let at = window.context.end
        let pids = window.thieves.values.map(\.pid) + window.contention.accounts.keys
        let ids = pids.compactMap { window.identities.identity(of: $0, at: at) }
        nameCgroups(ids.map(\.cgroupID))
        for id in ids where id.maskIsShort(below: cpuBound) && names.cpus(of: id.pid) == nil {
            guard let list = status(id.pid) else { continue }
            names.cpusAllowed = names.cpusAllowed ?? [:]
            names.cpusAllowed![String(id.pid)] = list
        }
        nameFunctions(window.work.functions)
        return names
    }

    private func nameCgroups(_ ids: [UInt64]) {
        let missing = ids.filter { names.cgroup($0) == nil }
        guard !missing.isEmpty else { return }
        for (id, path) in cgroups.paths(of: missing) { names.cgroups[String(id)] = path }
    }

    private func nameFunctions(_ addresses: Set<UInt64>) {
        let missing = addresses.filter { names.symbol($0) == nil && !unnamed.contains($0) }
        guard !missing.isEmpty else { return }
        let symbols = kallsyms(missing)
        for a in missing {
            if let name = symbols?.name(of: a) {
                names.symbols[String(a, radix: 16)] = name
            } else {
                unnamed.insert(a)
            }
        }
    }

    /// /proc/PID/status Cpus_allowed_list, if the task is still there.
    public static func cpusAllowedList(_ pid: UInt32) -> String? {
        guard let list = ProcFS.status(Int32(bitPattern: pid))?["Cpus_allowed_list"], !list.isEmpty,
            list.count < 4096, list.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "-" || $0 == ",") })
        else { return nil }
        return list
    }
}
