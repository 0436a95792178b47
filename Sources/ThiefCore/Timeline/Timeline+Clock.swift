/// Two clocks, one thread time (ARCHITECTURE.md, "Two clocks"): an exact
/// slice lasts its se.sum_exec_runtime growth; the difference from its
/// timestamps (`ahead`) moves where the thread's next episode starts.
extension Timeline {
    /// An ending's episode, clipped to the run's start and measured: an exact
    /// slice (its start traced, inside the run) by the kernel's clock,
    /// anything else by its timestamps, starting where the kernel's clock
    /// ended the thread's last slice. `ahead`: the thread's clock difference,
    /// carried from episode to episode. `rest` is the whole length (one window).
    @inline(__always)
    static func measure(_ x: Ending, runStart: UInt64, ahead: inout Int64) -> Ended {
        var episode = x.episode
        let from = episode.start, to = episode.end
        var start = max(from, runStart)
        var length = to > start ? to - start : 0
        if episode.kind != .wait {
            var a = ahead
            if episode.kind == .onCore, from >= runStart, x.ran > 0 {
                // The kernel's clock wins; the difference moves the next switch-out.
                start = shifted(start, by: a)
                let carried = add(a, difference(x.ran, length))
                // Beyond what may be carried, the slice is cut: on + off stays the thread's time.
                length = carried > maxAhead ? x.ran - UInt64(carried - maxAhead) : x.ran
                a = min(carried, maxAhead)
            } else if a != 0 {
                // Timestamps: this episode starts where the kernel's clock ended the last slice.
                (start, length, a) = absorb(a, start: start, to: to)
            }
            ahead = a
            // Where it ends on the thread's clock: the window it belongs to, and where the next begins.
            episode.end = shifted(to, by: a)
        }
        episode.start = start
        return Ended(
            episode: episode, length: length, rest: length,
            counts: !(length == 0 && from == 0 && episode.kind != .onCore))
    }

    /// The most the kernel's clock may run ahead of the timestamps: the two
    /// differ by µs a slice (where its clock is read), so more is a crafted
    /// recording, and carrying it would move times (and open intervals) far
    /// past the run. A slice longer by more counts only what is carried.
    static let maxAhead: Int64 = 1_000_000

    /// `ran - span` as an Int64, clamped.
    static func difference(_ ran: UInt64, _ span: UInt64) -> Int64 {
        ran >= span ? Int64(clamping: ran - span) : -Int64(clamping: span - ran)
    }

    static func add(_ a: Int64, _ b: Int64) -> Int64 {
        let (sum, over) = a.addingReportingOverflow(b)
        return over ? (b > 0 ? .max : .min) : sum
    }

    /// An episode from `start` to `to` (timestamps) that begins `a` ns later
    /// (earlier when negative) on the kernel's clock: its start, its length,
    /// and what is still ahead when it is shorter than that.
    static func absorb(_ a: Int64, start: UInt64, to: UInt64) -> (UInt64, UInt64, Int64) {
        let span = to > start ? to - start : 0
        if a < 0 {
            let earlier = a.magnitude
            return (start >= earlier ? start - earlier : 0, span.plus(earlier), 0)
        }
        let later = min(UInt64(a), span)
        return (start + later, span - later, a - Int64(later))
    }

    /// A thread's exit, where the kernel's clock ended its last slice
    /// (`ahead`: its clock difference, which the caller then forgets).
    static func exit(_ c: ThreadChange, ahead a: Int64) -> ThreadChange {
        guard a != 0 else { return c }
        var moved = c
        moved.time = shifted(c.time, by: a)
        return moved
    }

    /// A timestamp moved by `a` ns (clamped to the clock's range).
    static func shifted(_ t: UInt64, by a: Int64) -> UInt64 {
        a < 0 ? t - min(t, a.magnitude) : t.plus(UInt64(a))
    }
}
