/// One report's worth of the run (the whole run, or one interval): the fixed
/// set of analyses that fold its share of the event stream. The `Session`
/// decides which window an event or which part of an episode belongs to;
/// a window only hands them on.
public final class Window {
    public let start: UInt64
    /// The run's start, where episodes from before tracing are clipped (nil: `start`).
    var runStart: UInt64?
    public internal(set) var end: UInt64?
    /// The run's CPU topology (nil: unknown).
    public var topology: Topology?

    public internal(set) var time = TimeAccounting()
    public internal(set) var runnableWait = RunnableWait()
    public internal(set) var thieves = Thieves()
    public internal(set) var interrupts = Interrupts()
    public internal(set) var migrations = Migrations()
    public internal(set) var threads = Threads()
    public internal(set) var contention = Contention()
    public internal(set) var processes = Processes()
    public internal(set) var worstWaits = WorstWaits()
    public internal(set) var work = WorkItems()
    /// Culprits' identities: one table shared by all windows of a session.
    public internal(set) var identities = Identities()
    public internal(set) var wakers = Wakers()
    public internal(set) var cpus = CPUs()

    /// Kernel records that ended in this window (not what the run's end synthesizes).
    public internal(set) var records: UInt64 = 0
    /// Records of a type this thief does not know, or ring-buffer samples that are not whole records.
    public internal(set) var unknownRecords: UInt64 = 0

    public init(start: UInt64, end: UInt64? = nil) {
        self.start = start
        self.end = end
        threads.windowStart = start
    }

    var span: WindowSpan { WindowSpan(start: start, runStart: runStart ?? start, topology: topology) }

    /// `account`: the thread's account in `threads`, when the caller found it (`foldEpisode`).
    @inline(__always)
    func consume(
        _ e: Episode, portion: UInt64, length: UInt64?, account: Dictionary<UInt32, Threads.Account>.Index? = nil
    ) {
        time.consume(e, portion: portion, length: length)
        runnableWait.consume(e, portion: portion, length: length)
        if let account {
            threads.consume(e, portion: portion, length: length, at: account)
        } else {
            threads.consume(e, portion: portion, length: length)
        }
        contention.consume(e, portion: portion, length: length)
        worstWaits.consume(e, portion: portion, length: length)
        cpus.consume(e, portion: portion, length: length)
    }

    func consume(_ event: Event) {
        let span = self.span
        thieves.consume(event, in: span)
        interrupts.consume(event, in: span)
        migrations.consume(event, in: span)
        threads.consume(event, in: span)
        processes.consume(event, in: span)
        worstWaits.consume(event, in: span)
        work.consume(event, in: span)
        identities.consume(event)
        wakers.consume(event, in: span)
        cpus.consume(event, in: span)
        foldExitedThreads(after: event)
    }

    /// A birth, exit or exec that happened in an earlier window (interval mode).
    func note(_ event: Event) {
        threads.note(event)
        foldExitedThreads(after: event)
    }

    /// At a thread's birth or exit: the threads that exited long enough
    /// before are folded per process, in every analysis that keeps them.
    private func foldExitedThreads(after event: Event) {
        switch event {
        case .threadBorn(let c), .threadExit(let c):
            let due = threads.dueToFold(now: c.time)
            for tid in due { worstWaits.remember(tid: tid, comm: threads[tid]?.comm) }
            for (tid, tgid) in threads.fold(now: c.time) {
                processes.fold(tid: tid, tgid: tgid)
                contention.fold(tid: tid, tgid: tgid)
            }
        default: break
        }
    }

    /// A thread that exists when tracing starts.
    public func addThread(tid: UInt32, tgid: UInt32, comm: String) {
        threads.add(tid: tid, tgid: tgid, comm: comm)
    }

    /// The name a thread has now (prctl(PR_SET_NAME) sends no event).
    public func rename(tid: UInt32, comm: String) {
        threads.rename(tid: tid, comm: comm)
    }

    public var cpusSeen: [Int] { time.cpusSeen }

    /// One thread's part of this window: from its birth (or the start) to its exit (or the end).
    public func span(of t: Threads.Account) -> (start: UInt64, end: UInt64) {
        threads.span(of: t, start: start, end: end ?? start)
    }

    /// Sum of the per-thread windows: the time the target's threads existed.
    public var threadTime: UInt64 { threads.threadTime(start: start, end: end ?? start) }

    /// What every section is computed against.
    public var context: SectionContext {
        SectionContext(start: start, end: end ?? start, threadTime: threadTime)
    }
}
