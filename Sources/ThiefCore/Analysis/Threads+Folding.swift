extension Threads {
    /// Folds the threads that exited `foldAfter` or more before `now` (an
    /// event's time) into their process's `FoldedThreads`; returns them, for
    /// the analyses that keep per-thread books of their own to fold theirs.
    /// Exits come in nearly in time order, so the oldest are at the front.
    /// Their windows end at their exit: every exit a window sees is before its end.
    /// The threads `fold(now:)` would fold, still named (their names outlive them where a report shows them).
    func dueToFold(now: UInt64) -> [UInt32] {
        guard let after = foldAfter else { return [] }
        var out: [UInt32] = []
        var i = exitsHead
        while i < exits.count, exits[i].time <= now, now - exits[i].time >= after {
            out.append(exits[i].tid)
            i += 1
        }
        return out
    }

    mutating func fold(now: UInt64) -> [(tid: UInt32, tgid: UInt32)] {
        guard let after = foldAfter else { return [] }
        var out: [(tid: UInt32, tgid: UInt32)] = []
        while exitsHead < exits.count, exits[exitsHead].time <= now, now - exits[exitsHead].time >= after {
            let (time, tid) = exits[exitsHead]
            exitsHead += 1
            // A tid used again since (born after this exit) is another thread: it stays.
            guard let t = accounts[tid], t.exit == time else { continue }
            accounts[tid] = nil
            let w = span(of: t, start: windowStart, end: max(time, windowStart))
            folded[t.tgid, default: FoldedThreads(tgid: t.tgid)].add(t, span: w)
            out.append((tid, t.tgid))
        }
        if exitsHead > 1024, exitsHead * 2 > exits.count {
            exits.removeFirst(exitsHead)
            exitsHead = 0
        }
        return out
    }
}
