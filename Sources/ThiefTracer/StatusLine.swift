import FoundationEssentials
import Glibc
import ThiefCore

/// While a run goes on, one line on stderr, rewritten about once a second as
/// `perf top` and `rtla … top` users expect: elapsed time, records and lost
/// events, the target's on-core and runnable-wait shares so far, and the top
/// thief. Only on a terminal (the CLI decides: stderr a TTY, not -q); erased
/// before the report prints; never touches stdout or files.
struct StatusLine {
    let enabled: Bool
    private var dueAt: UInt64 = 0
    private var shown = false

    init(enabled: Bool) { self.enabled = enabled }

    /// "Erase the line, back to its start": what each update and the end write first.
    static let erase = "\r\u{1b}[2K"

    mutating func update(now: UInt64, live: LiveRun) {
        guard enabled, now >= dueAt else { return }
        // The first line after a second: shares over less are noise.
        if dueAt == 0 {
            dueAt = live.start + 1_000_000_000
            return
        }
        dueAt = now + 1_000_000_000
        shown = true
        let c = BPFMaps.countersSoFar(live.tb)
        let text = Self.text(
            elapsed: now - live.start, records: c.emitted, lost: c.lost, window: live.session.current, now: now)
        StandardError.write(Self.erase + text)
    }

    /// Leaves the terminal as it was, for the report.
    func clear() {
        if shown { StandardError.write(Self.erase) }
    }

    static func text(elapsed: UInt64, records: UInt64, lost: UInt64, window w: Window, now: UInt64) -> String {
        let threadTime = w.threads.threadTime(start: w.start, end: max(now, w.start))
        func share(_ ns: UInt64) -> String {
            threadTime > 0 ? String(cFormat: "%.1f%%", Double(ns) / Double(threadTime) * 100) : "-"
        }
        var line =
            "thief: \(elapsed / 1_000_000_000)s, \(records) records, \(lost) lost | on-core "
            + "\(share(w.time.onCore.total)), runnable wait \(share(w.runnableWait.waits.total))"
        if let top = w.thieves.values.max(by: { ($0.stolen, $1.pid) < ($1.stolen, $0.pid) }) {
            line += " | top thief \(top.comm)[\(top.pid)] " + String(cFormat: "%.1fms", Double(top.stolen) / 1e6)
        }
        return line
    }
}
