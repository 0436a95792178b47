import CThiefABI
import CThiefBPF
import FoundationEssentials
import Glibc
import ThiefCore

extension TracerOptions {
    /// The shim's configuration for these options and the threads listed to trace.
    func bpfConfig(seeds: [LiveSeed]) -> thief_bpf_config {
        var config = thief_bpf_config()
        config.self_tgid = UInt32(getpid())
        config.ringbuf_bytes = ringBufferBytes
        config.trace_irqs = traceIRQs ? 1 : 0
        config.noop = noopPrograms ? 1 : 0
        config.attach_mode = UInt8(rawTracepoints ? THIEF_ATTACH_RAW_TP.rawValue : THIEF_ATTACH_AUTO.rawValue)
        config.max_tgid = Self.pidMax
        config.thread_slots = Self.threadSlots
        config.hold = holdsRecords ? 1 : 0
        switch target {
        case .process: config.follow_threads = 1
        case .processes(_, let children):
            config.follow_threads = 1
            config.follow_children = children ? 1 : 0
        case .threads: break
        case .command, .cgroup:
            config.follow_threads = 1
            config.follow_children = 1
        case .comm(let name):
            config.follow_threads = 1
            config.follow_children = 1
            config.match_comm = 1
            withUnsafeMutableBytes(of: &config.comm) { raw in
                for (i, b) in name.utf8.prefix(raw.count - 1).enumerated() { raw[i] = b }
            }
        }
        setFilter(&config, seeds: seeds)
        return config
    }

    /// What every other task pays: one compare when all targets are one
    /// process (-p, -t of one process), a bit per tgid for several processes
    /// or ones that come and go, the cgroup ancestry for a cgroup.
    private func setFilter(_ config: inout thief_bpf_config, seeds: [LiveSeed]) {
        if case .cgroup(let cg) = target {
            config.filter = UInt8(THIEF_FILTER_CGROUP.rawValue)
            config.cgroup_id = cg.id
            config.cgroup_level = cg.level
            return
        }
        var oneProcess = false
        switch target {
        case .process, .threads: oneProcess = Set(seeds.map(\.tgid)).count == 1
        default: break
        }
        if oneProcess, let first = seeds.first {
            config.filter = UInt8(THIEF_FILTER_TGID.rawValue)
            config.target_tgid = first.tgid
        } else {
            config.filter = UInt8(THIEF_FILTER_TGIDS.rawValue)
        }
    }

    /// Records may reach the consumer out of time order across CPUs (the
    /// kernel side holds a CPU's records while targets run back to back,
    /// thief_abi.h: thief_batch) only where nothing needs that order: one
    /// report for the whole run, no recording, no Perfetto trace, and not
    /// `thief watch` (promptRecords: a held record would delay its trigger).
    var holdsRecords: Bool { !promptRecords && interval == nil && recordPath == nil && onLive == nil }

    /// THIEF_THREAD_SLOTS: the kernel side's thread slots (a power of two;
    /// the shim refuses anything else). Unset: sized to pid_max. Tests set a
    /// few, so that threads share slots and the overflow map is exercised.
    static var threadSlots: UInt32 {
        guard let v = ProcessInfo.processInfo.environment["THIEF_THREAD_SLOTS"] else { return 0 }
        return UInt32(v) ?? UInt32.max
    }

    /// The kernel's largest PID + 1 (/proc/sys/kernel/pid_max): the size of the tgid set.
    static var pidMax: UInt32 {
        ProcFS.read("/proc/sys/kernel/pid_max").flatMap { UInt32($0.trimming(.whitespacesAndNewlines)) }
            ?? 4_194_304
    }
}
