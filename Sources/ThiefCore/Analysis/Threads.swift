/// Each target thread: its lifetime in the window and its time on-core,
/// off-core and waiting (the report's Threads table and the thread time
/// every share is a part of). Threads that exited more than `foldAfter`
/// before the latest birth or exit are folded into one account per process
/// (`FoldedThreads`, see Threads+Folding.swift): its size is bounded by the
/// threads alive, not by the threads ever seen.
public struct Threads: Analysis {
    public struct Account: Sendable {
        public var tid: UInt32
        public var tgid: UInt32
        public var comm: String
        public var birth: UInt64?
        public var exit: UInt64?
        public var onCore: UInt64 = 0
        public var offCore: UInt64 = 0
        public var slices: UInt64 = 0
        public var runnableWait: UInt64 = 0
        public var waitCauses = WaitCauses()
        public var migrations: UInt64 = 0
        /// With one window, the timeline's clock difference for this thread
        /// (`Timeline.OpenEpisodes.ahead`): kept here so that the fold's one
        /// lookup of the account serves both.
        var ahead: Int64 = 0
        /// How far past the window's end the kernel's clock ran the thread
        /// (set when the run ends): its row ends there.
        var pastEnd: UInt64 = 0
    }

    public internal(set) var accounts: [UInt32: Account] = [:]
    /// The exited threads folded away, by tgid.
    public internal(set) var folded: [UInt32: FoldedThreads] = [:]
    /// How long after its exit a thread is folded (nil: never).
    public var foldAfter: UInt64? = 1_000_000_000
    /// The window's start, where the folded threads' lifetimes begin at the earliest.
    var windowStart: UInt64 = 0
    /// Exits not yet folded, oldest first from `exitsHead`.
    var exits: [(time: UInt64, tid: UInt32)] = []
    var exitsHead = 0

    public init() {}

    public subscript(tid: UInt32) -> Account? { accounts[tid] }
    public var values: Dictionary<UInt32, Account>.Values { accounts.values }
    public var count: Int { accounts.count }
    public var isEmpty: Bool { accounts.isEmpty }

    /// A thread that exists when the window opens.
    public mutating func add(tid: UInt32, tgid: UInt32, comm: String) {
        if accounts[tid] == nil { accounts[tid] = Account(tid: tid, tgid: tgid, comm: comm) }
    }

    /// A thread carried over from the previous window (interval mode): who it is, not its times.
    mutating func inherit(_ t: Account) {
        accounts[t.tid] = Account(tid: t.tid, tgid: t.tgid, comm: t.comm, birth: t.birth, exit: t.exit)
    }

    /// The name a thread has now (prctl(PR_SET_NAME) sends no event).
    public mutating func rename(tid: UInt32, comm: String) {
        if !comm.isEmpty { accounts[tid]?.comm = comm }
    }

    @inline(__always)
    private mutating func touch(_ tid: UInt32, _ tgid: UInt32, _ body: (inout Account) -> Void) {
        if let i = accounts.index(forKey: tid) {
            body(&accounts.values[i])
        } else {
            var t = Account(tid: tid, tgid: tgid, comm: "")
            body(&t)
            accounts[tid] = t
        }
    }

    @inline(__always)
    public mutating func consume(_ e: Episode, portion: UInt64, length: UInt64?) {
        touch(e.tid, e.tgid) { Self.add(e, portion: portion, length: length, to: &$0) }
    }

    /// The same, for the account at `i` (found by the caller, unchanged since).
    @inline(__always)
    mutating func consume(_ e: Episode, portion: UInt64, length: UInt64?, at i: Dictionary<UInt32, Account>.Index) {
        Self.add(e, portion: portion, length: length, to: &accounts.values[i])
    }

    @inline(__always)
    private static func add(_ e: Episode, portion: UInt64, length: UInt64?, to t: inout Account) {
        switch e.kind {
        case .onCore:
            t.onCore &+= portion
            if length != nil { t.slices += 1 }
        case .offCore: t.offCore &+= portion
        case .wait:
            t.runnableWait &+= portion
            t.waitCauses += RunnableWait.causes(of: e, portion: portion, length: length)
        }
    }

    /// A new timeline starts with no clock differences.
    mutating func forgetClocks() {
        for i in accounts.indices where accounts.values[i].ahead != 0 { accounts.values[i].ahead = 0 }
    }

    /// A thread's clock difference, handed to its exit (and forgotten: a tid may be used again).
    mutating func takeAhead(_ tid: UInt32) -> Int64 {
        guard let i = accounts.index(forKey: tid) else { return 0 }
        defer { accounts.values[i].ahead = 0 }
        return accounts.values[i].ahead
    }

    public mutating func consume(_ event: Event, in span: WindowSpan) {
        switch event {
        case .migration(let m): touch(m.tid, m.tgid) { $0.migrations += 1 }
        case .threadBorn, .threadExec, .threadExit: note(event)
        default: break
        }
    }

    /// A thread's birth, exit or new name (also seen by the windows open after the one it happened in).
    mutating func note(_ event: Event) {
        switch event {
        case .threadBorn(let c):
            let comm = c.comm.string
            touch(c.tid, c.tgid) { t in
                t.birth = c.time
                // A tid used again: the thread that exited before it was born is another.
                if let x = t.exit, x < c.time { t.exit = nil }
                if t.comm.isEmpty { t.comm = comm }
            }
        case .threadExit(let c):
            let comm = c.comm.string
            touch(c.tid, c.tgid) { t in
                t.exit = c.time
                if !comm.isEmpty { t.comm = comm }
            }
            if foldAfter != nil { exits.append((c.time, c.tid)) }
        case .threadExec(let c):
            let comm = c.comm.string
            touch(c.tid, c.tgid) { $0.comm = comm }
        default: break
        }
    }

    /// One thread's part of the window: from its birth (or the start) to its exit (or the end).
    public func span(of t: Account, start: UInt64, end: UInt64) -> (start: UInt64, end: UInt64) {
        let s = max(start, t.birth ?? start)
        let e = min(end, t.exit ?? end)
        return (s, max(s, e) &+ t.pastEnd)
    }

    /// The run ended at `end`. A live thread whose kernel clock is still
    /// ahead (no episode absorbed it: `ahead` here with one window, from the
    /// timeline with intervals) and a thread whose exit that clock moved
    /// past the end have their rows end there, so that on + off is the row's span.
    mutating func endClocks(at end: UInt64, ahead timeline: [UInt32: Int64]) {
        var past: [(UInt32, UInt64)] = []
        for (tid, t) in accounts {
            if let x = t.exit {
                if x > end { past.append((tid, x - end)) }
            } else if let a = timeline[tid] ?? (t.ahead > 0 ? t.ahead : nil), a > 0 {
                past.append((tid, UInt64(a)))
            }
        }
        for (tid, ns) in past { accounts[tid]?.pastEnd = ns }
    }

    /// Sum of the per-thread windows: the time the target's threads existed.
    public func threadTime(start: UInt64, end: UInt64) -> UInt64 {
        let live: UInt64 = accounts.values.reduce(0) { acc, t in
            let w = span(of: t, start: start, end: end)
            return acc &+ (w.end - w.start)
        }
        return folded.values.reduce(live) { $0 &+ $1.lifetime }
    }

    /// By thread id; then each process's folded exited threads (tid 0), by tgid.
    public func section(_ context: SectionContext) -> [Report.ThreadReport] {
        liveSection(context)
            + folded.values.sorted { $0.account.tgid < $1.account.tgid }.map {
                $0.report(windowStart: context.start)
            }
    }

    private func liveSection(_ context: SectionContext) -> [Report.ThreadReport] {
        accounts.values.sorted { $0.tid < $1.tid }.map { t in
            let w = span(of: t, start: context.start, end: context.end)
            return Report.ThreadReport(
                tid: t.tid, tgid: t.tgid, comm: t.comm, onCoreNs: t.onCore, offCoreNs: t.offCore, slices: t.slices,
                runnableWaitNs: t.runnableWait, migrations: t.migrations, startNs: w.start, endNs: w.end,
                exited: t.exit != nil, byCause: Report.ByCause(t.waitCauses))
        }
    }
}
