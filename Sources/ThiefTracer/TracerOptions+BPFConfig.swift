import CThiefBPF
import Foundation

extension TracerOptions {
    /// The shim's configuration for these options and the threads listed to trace.
    func bpfConfig(seeds: [LiveSeed]) -> thief_bpf_config {
        var config = thief_bpf_config()
        config.self_tgid = UInt32(getpid())
        config.ringbuf_bytes = ringBufferBytes
        config.trace_irqs = traceIRQs ? 1 : 0
        config.noop = noopPrograms ? 1 : 0
        config.attach_mode = UInt8(rawTracepoints ? THIEF_ATTACH_RAW_TP.rawValue : THIEF_ATTACH_AUTO.rawValue)
        switch target {
        case .process: config.follow_threads = 1
        case .threads: break
        case .command: config.follow_threads = 1; config.follow_children = 1
        }
        // All targets in one process (-p, -t of one process): the kernel side
        // rejects every other task's events with one load. A command's
        // children are other processes: no such shortcut.
        if case .command = target {} else if Set(seeds.map(\.tgid)).count == 1 {
            config.target_tgid = seeds[0].tgid
        }
        return config
    }
}
