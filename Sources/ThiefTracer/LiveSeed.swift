import CThiefABI
import FoundationEssentials
import Glibc
import ThiefCore

/// A target thread as /proc showed it before tracing: the `ThreadSeed` that
/// the timeline and the recording's header know, and what only the kernel
/// side's seed needs besides (its on-core time so far, its CPU).
struct LiveSeed {
    var tid: UInt32
    var tgid: UInt32
    var comm: String
    var state: OffState
    /// Its on-core time so far (/proc/…/sched), when readable.
    var sumExec: UInt64?
    var cpu: Int = 0

    /// From /proc/PID/task/TID; nil when the thread is gone (a zombie included).
    static func read(pid: Int32, tid: Int32) -> LiveSeed? {
        guard let st = ProcFS.stat(pid: pid, tid: tid), !isGone(st.state) else { return nil }
        return LiveSeed(
            tid: UInt32(tid), tgid: UInt32(pid), comm: ProcFS.comm(pid: pid, tid: tid) ?? "?",
            state: OffState(procState: st.state),
            sumExec: ProcFS.sched(pid: pid, tid: tid)?.sumExecRuntime, cpu: st.cpu)
    }

    /// Z (zombie) or X (dead): it has exited, though /proc still lists it. It
    /// never runs again, so tracing it would show a live thread off-core until the end.
    static func isGone(_ state: Character) -> Bool { state == "Z" || state == "X" }

    /// The kernel side's initial state for this thread (its threads map entry).
    var kernelState: thief_tstate {
        var st = thief_tstate()
        st.tgid = tgid
        st.off_state = UInt8(state.rawValue)
        st.on_cpu = UInt16(truncatingIfNeeded: cpu)
        if let sum = sumExec {
            st.off_sum = sum
            st.sum_known = 1
        }
        if state == .preempted {
            // R in /proc: running or waiting for a CPU. Count it waiting from
            // the window's start: if it was in fact running, its first
            // switch-out closes that wait at its switch-in, at the start.
            st.waiting = 1
            st.wait_cpu = UInt16(truncatingIfNeeded: cpu)
        }
        return st
    }

    /// As the timeline and the recording's header know it.
    var seed: ThreadSeed { ThreadSeed(tid: tid, tgid: tgid, comm: comm, state: state) }
}
