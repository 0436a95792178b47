import CThiefABI
import CThiefBPF
import FoundationEssentials
import Glibc
import ThiefCore

/// Seeding: lists the target's threads from /proc, puts them into the
/// kernel side's threads map (and their processes into its tgid set), and
/// reconciles the list once attached.
struct ThreadSeeder {
    let target: TargetSpec

    /// The target's threads now; throws if the target is already gone.
    func list(childPid: pid_t?) throws -> [LiveSeed] {
        switch target {
        case .process(let p):
            let tgid = ProcFS.tgid(of: p) ?? p
            try Self.refuseSelf(tgid, "process \(p)")
            let seeds = Self.threads(ofProcesses: [tgid])
            guard !seeds.isEmpty else { throw Self.gone("process \(p)", pid: tgid, tid: tgid) }
            return seeds
        case .processes(let pids, _):
            let seeds = listNow()
            if seeds.isEmpty {
                if pids.count == 1 { throw Self.gone("process \(pids[0])", pid: pids[0], tid: pids[0]) }
                throw TracerError(.noTarget, "the processes exited before tracing started")
            }
            return seeds
        case .comm, .cgroup:
            return listNow()
        case .threads(let tids):
            return try tids.map { tid in
                guard let tgid = ProcFS.tgid(of: tid) else {
                    throw TracerError(.noTarget, "thread \(tid) exited before tracing started")
                }
                try Self.refuseSelf(tgid, "thread \(tid)")
                guard let s = LiveSeed.read(pid: tgid, tid: tid) else {
                    throw Self.gone("thread \(tid)", pid: tgid, tid: tid)
                }
                return s
            }
        case .command(let argv):
            // Held before exec, it is still a fork of thief: it takes the
            // command's name, and sleeps (on its go pipe) until released.
            let pid = childPid ?? 0
            var s =
                LiveSeed.read(pid: pid, tid: pid)
                ?? LiveSeed(tid: UInt32(pid), tgid: UInt32(pid), comm: "", state: .sleeping)
            s.comm = String((argv.first.map(Self.lastPathComponent) ?? "").prefix(15))
            s.state = .sleeping
            return [s]
        }
    }

    /// What NSString's lastPathComponent gives (its name after exec, as
    /// the kernel's comm is): "/usr/bin/yes" -> "yes", "dir/" -> "dir", "/" -> "/".
    static func lastPathComponent(_ path: String) -> String {
        let parts = path.split(separator: "/")
        guard let last = parts.last else { return path.isEmpty ? "" : "/" }
        return String(last)
    }

    /// thief never traces itself (its own switches and wake-ups would fill the report).
    private static func refuseSelf(_ tgid: Int32, _ what: String) throws {
        if tgid == getpid() { throw TracerError(.noTarget, "\(what) is thief itself; it does not trace itself") }
    }

    /// A target with nothing to trace: a zombie (it exited; its parent has not
    /// reaped it: /proc still lists it, in state Z) or no longer there.
    private static func gone(_ what: String, pid: Int32, tid: Int32) -> TracerError {
        if let st = ProcFS.stat(pid: pid, tid: tid), LiveSeed.isGone(st.state) {
            return TracerError(.noTarget, "\(what) is gone (zombie: it exited and its parent has not reaped it)")
        }
        return TracerError(.noTarget, "\(what) exited before tracing started")
    }

    /// The threads of a target whose processes /proc can list again at any time.
    private func listNow() -> [LiveSeed] {
        listIDs().compactMap { id in
            guard let tgid = id.tgid ?? Self.tgid(of: id.tid) else { return nil }
            return LiveSeed.read(pid: tgid, tid: id.tid)
        }
    }

    /// The same threads by id only: a directory listing per process, no read
    /// per thread (a cgroup's threads' tgids are left nil, for `tgid(of:)`).
    private func listIDs() -> [(tid: Int32, tgid: Int32?)] {
        switch target {
        case .process(let p): return Self.ids(ofProcesses: [ProcFS.tgid(of: p) ?? p])
        case .processes(let pids, let children):
            let roots = pids.map { ProcFS.tgid(of: $0) ?? $0 }
            // thief is a child of the shell of `-p $$ --children`: never one of its targets.
            return Self.ids(ofProcesses: (children ? ProcFS.descendants(of: roots) : roots).filter { $0 != getpid() })
        case .comm(let name): return Self.ids(ofProcesses: ProcFS.processes(named: name, except: getpid()))
        case .cgroup(let cg): return cg.threads().map { ($0, nil) }
        case .threads, .command: return []
        }
    }

    /// A cgroup thread's process; nil when it is gone or is thief itself.
    private static func tgid(of tid: Int32) -> Int32? {
        guard let tgid = ProcFS.tgid(of: tid), tgid != getpid() else { return nil }
        return tgid
    }

    private static func threads(ofProcesses pids: [Int32]) -> [LiveSeed] {
        ids(ofProcesses: pids).compactMap { LiveSeed.read(pid: $0.tgid!, tid: $0.tid) }
    }

    private static func ids(ofProcesses pids: [Int32]) -> [(tid: Int32, tgid: Int32?)] {
        pids.flatMap { pid in ProcFS.threads(of: pid).map { ($0, pid) } }
    }

    /// Puts every seed into the kernel side's target set.
    func track(_ tb: OpaquePointer, _ seeds: [LiveSeed]) throws {
        for s in seeds { _ = try track(tb, s, onlyNew: false) }
    }

    /// Puts a thread into the kernel side's target set, in the state /proc
    /// gives it, and its process into the tgid set. onlyNew: false if the
    /// kernel side already tracks it.
    private func track(_ tb: OpaquePointer, _ s: LiveSeed, onlyNew: Bool) throws -> Bool {
        var st = s.kernelState
        let rc = thief_bpf_track(tb, s.tid, &st, onlyNew ? 1 : 0)
        if rc == -EEXIST { return false }
        try TracerError.check(rc, .kernel, "cannot track thread \(s.tid)")
        try TracerError.check(thief_bpf_add_tgid(tb, s.tgid), .kernel, "cannot track process \(s.tgid)")
        return true
    }

    /// Closes the gap between listing the target's threads and attaching
    /// (loading takes tens of ms): a thread created in it was seen by no fork
    /// event, so it joins now; one that exited in it had no traced exit, so
    /// it leaves (else the run would never see the target go).
    func reconcile(_ tb: OpaquePointer, _ seeds: [LiveSeed]) throws -> [LiveSeed] {
        switch target {
        case .threads, .command:
            return seeds.filter { s in
                if ProcFS.stat(pid: Int32(s.tgid), tid: Int32(s.tid)) != nil { return true }
                _ = thief_bpf_untrack(tb, s.tid)
                return false
            }
        default:
            // Traced already and nothing drains yet: a listing of ids, and
            // /proc read only for the threads new since (with 10,000 threads,
            // reading each again took long enough to fill the ring buffer).
            let now = listIDs()
            let live = Set(now.map { UInt32(bitPattern: $0.tid) })
            var kept = seeds.filter { live.contains($0.tid) }
            for s in seeds where !live.contains(s.tid) { _ = thief_bpf_untrack(tb, s.tid) }
            let known = Set(seeds.map(\.tid))
            for id in now where !known.contains(UInt32(bitPattern: id.tid)) {
                guard let tgid = id.tgid ?? Self.tgid(of: id.tid), let s = LiveSeed.read(pid: tgid, tid: id.tid) else {
                    continue
                }
                if try track(tb, s, onlyNew: true) { kept.append(s) }
            }
            return kept
        }
    }

    /// The target's PID and name, for the header: its main thread's, else the
    /// first seed's; a cgroup is named by its path (it may start empty).
    func identity(of seeds: [LiveSeed]) -> (pid: Int32, comm: String) {
        if case .cgroup(let cg) = target { return (Int32(seeds.first?.tgid ?? 0), cg.path) }
        // --comm: the name wanted, also while none runs yet (--wait).
        if case .comm(let name) = target { return (Int32(seeds.first?.tgid ?? 0), name) }
        let tgid = Int32(seeds.first?.tgid ?? 0)
        let comm = seeds.first(where: { $0.tid == UInt32(tgid) })?.comm ?? seeds.first?.comm ?? "?"
        return (tgid, comm)
    }
}
