import CThiefABI
import CThiefBPF
import FoundationEssentials
import Glibc

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
        var tids = [UInt32](repeating: 0, count: 1024)
        while true {
            let n = Int(thief_bpf_thread_ids(tb, &tids, Int32(tids.count)))
            if n <= tids.count {
                tids.removeSubrange(max(n, 0)...)
                break
            }
            tids = [UInt32](repeating: 0, count: n + 1024)  // threads came meanwhile: room for more
        }
        return tids.compactMap { tid in
            var st = thief_tstate()
            return thief_bpf_thread_state(tb, tid, &st) == 0 ? (tid, st) : nil
        }
    }

    /// True when the kernel side tracks no thread any more: every target is gone.
    static func tracksNoThread(_ tb: OpaquePointer) -> Bool {
        thief_bpf_tracks_any(tb) == 0
    }
}
