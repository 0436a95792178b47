import CThiefABI
import CThiefBPF
import Foundation

/// Reads of the kernel side's maps, through the shim.
enum BPFMaps {
    /// The per-CPU counters, summed: records emitted and lost, switches repaired.
    static func counters(_ tb: OpaquePointer) throws -> thief_counters {
        var counters = thief_counters()
        try TracerError.check(thief_bpf_counters(tb, &counters), .kernel, "reading the tracer's counters")
        return counters
    }

    /// The same, zero if they cannot be read (an interval's report goes on without them).
    static func countersSoFar(_ tb: OpaquePointer) -> thief_counters {
        var counters = thief_counters()
        _ = thief_bpf_counters(tb, &counters)
        return counters
    }

    /// Every thread the kernel side still tracks, with the state it holds for it.
    static func openThreads(_ tb: OpaquePointer) -> [(tid: UInt32, state: thief_tstate)] {
        var open: [(tid: UInt32, state: thief_tstate)] = []
        var have: Int32 = 0
        var prev: UInt32 = 0, next: UInt32 = 0
        while thief_bpf_next_thread(tb, have, prev, &next) == 0 {
            var st = thief_tstate()
            if thief_bpf_thread_state(tb, next, &st) == 0 { open.append((next, st)) }
            have = 1
            prev = next
        }
        return open
    }

    /// True when the kernel side tracks no thread any more: every target is gone.
    static func tracksNoThread(_ tb: OpaquePointer) -> Bool {
        var first: UInt32 = 0
        return thief_bpf_next_thread(tb, 0, 0, &first) == -ENOENT
    }
}
