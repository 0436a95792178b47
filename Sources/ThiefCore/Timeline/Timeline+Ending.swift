extension Timeline {
    /// An event that ends an episode, read once: the episode by its
    /// timestamps (`start` not yet clipped to the run), and what the
    /// timeline needs besides. The one-window fold reads the thread from it
    /// before the timeline measures it, so both share one lookup.
    struct Ending {
        var episode: Episode
        /// A slice's se.sum_exec_runtime growth (0: unknown, or not a slice).
        var ran: UInt64 = 0
        /// A slice: the state of the off-core interval its switch-out starts.
        var next = OffState.other

        @inline(__always)
        init?(_ event: Event) {
            switch event {
            case .slice(let s):
                episode = Episode(
                    kind: .onCore, tid: s.tid, tgid: s.tgid, cpu: s.cpu, start: s.start, end: s.end,
                    contended: s.contended, waiter: s.waiter)
                (ran, next) = (s.ran, s.next)
            case .offCore(let o):
                episode = Episode(
                    kind: .offCore(o.state), tid: o.tid, tgid: o.tgid, cpu: o.cpu, start: o.start, end: o.end)
            case .wait(let w):
                episode = Episode(
                    kind: .wait, tid: w.tid, tgid: w.tgid, cpu: w.cpu, start: w.start, end: w.end, causes: w.causes,
                    queueCPU: w.queueCPU)
            default: return nil
            }
        }
    }
}
