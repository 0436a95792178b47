import CThiefABI

/// Folds kernel records into the numbers of the report (README "What the
/// numbers mean"). Episodes are clipped to the window [start, end]: an
/// episode that began before tracing (start_ts 0 or earlier than the window)
/// counts from the window's start; a slice whose start was traced counts its
/// exact `se.sum_exec_runtime` growth. Folding a record never allocates, but
/// for the first sight of a thread, thief or interrupt source. Totals add with
/// wrapping arithmetic: a crafted recording can hold any durations, and
/// reading one must never trap.
public final class Aggregator {
    public let windowStart: UInt64
    /// The run's start, where episodes from before tracing are clipped (nil: windowStart).
    var runStart: UInt64?
    public internal(set) var windowEnd: UInt64?

    public private(set) var onCore = Distribution()
    public private(set) var offCore = Distribution()
    public private(set) var offByState = [Distribution](repeating: Distribution(), count: OffState.allCases.count)
    public private(set) var runnableWait = Distribution()
    public private(set) var migrations = [UInt64](repeating: 0, count: MigrationKind.allCases.count)
    public private(set) var threads: [UInt32: ThreadAccount] = [:]
    public private(set) var thieves: [UInt32: ThiefAccount] = [:]
    public private(set) var interrupts: [InterruptKey: InterruptAccount] = [:]
    public private(set) var records: UInt64 = 0
    public private(set) var unknownRecords: UInt64 = 0
    private var cpuMask: [Bool] = []

    public struct ThreadAccount: Sendable {
        public var tid: UInt32
        public var tgid: UInt32
        public var comm: String
        public var birth: UInt64?
        public var exit: UInt64?
        public var onCore: UInt64 = 0
        public var offCore: UInt64 = 0
        public var slices: UInt64 = 0
        public var runnableWait: UInt64 = 0
        public var migrations: UInt64 = 0
    }

    public struct ThiefAccount: Sendable {
        public var pid: UInt32
        public var tgid: UInt32
        public var comm: String
        public var kthread: Bool
        public var count: UInt64 = 0
        public var stolen: UInt64 = 0
        public var max: UInt64 = 0
    }

    public struct InterruptKey: Hashable, Sendable {
        public var kind: UInt32
        public var number: UInt32
    }

    public struct InterruptAccount: Sendable {
        public var name: String
        public var count: UInt64 = 0
        public var total: UInt64 = 0
        public var min: UInt64 = .max
        public var max: UInt64 = 0
    }

    public init(windowStart: UInt64, windowEnd: UInt64? = nil) {
        self.windowStart = windowStart
        self.windowEnd = windowEnd
    }

    /// A thread that exists when tracing starts.
    public func addThread(tid: UInt32, tgid: UInt32, comm: String) {
        if threads[tid] == nil {
            threads[tid] = ThreadAccount(tid: tid, tgid: tgid, comm: comm)
        }
    }

    /// Folds one record given as raw ring-buffer bytes.
    @inline(__always)
    public func fold(bytes: UnsafeRawPointer, count: Int) {
        guard count >= Record.size, count % Record.size == 0 else { unknownRecords += 1; return }
        var at = 0
        while at < count {
            fold((bytes + at).loadUnaligned(as: Record.self))
            at += Record.size
        }
    }

    private func seeCPU(_ cpu: UInt16) {
        let c = Int(cpu)
        if c >= cpuMask.count { cpuMask += [Bool](repeating: false, count: c + 1 - cpuMask.count) }
        cpuMask[c] = true
    }

    private func withThread(_ r: Record, _ body: (inout ThreadAccount) -> Void) {
        if threads[r.tid] == nil {
            threads[r.tid] = ThreadAccount(tid: r.tid, tgid: r.tgid, comm: "")
        }
        body(&threads[r.tid]!)
    }

    /// The length of a time episode (slice, off-core, wait), with the start
    /// clipped to `origin`: an exact slice (its start traced, inside the run)
    /// counts its se.sum_exec_runtime growth, anything else its timestamps.
    static func length(of r: Record, origin: UInt64) -> (start: UInt64, length: UInt64) {
        let start = r.start_ts < origin ? origin : r.start_ts
        if r.kind == .slice, r.start_ts >= origin, r.dur > 0 { return (start, r.dur) }
        return (start, r.ts > start ? r.ts - start : 0)
    }

    public func fold(_ r: Record) {
        guard let kind = r.kind else { records += 1; unknownRecords += 1; return }
        switch kind {
        case .slice, .offCore, .wait:
            let l = Aggregator.length(of: r, origin: windowStart).length
            account(r, portion: l, length: l)
        default:
            foldEvent(r)
        }
    }

    /// Adds a time episode: `portion` ns inside this window; `length` (the
    /// whole episode) when it ended here, nil for the part of one still open.
    func account(_ r: Record, portion: UInt64, length: UInt64?) {
        if length != nil { records += 1 }
        // An off-core interval or wait from before tracing that the kernel
        // closed at or before the window's start (a thread that was running
        // when tracing began: its seed state is closed at its switch-in, which
        // lies before the start) is no episode of the window.
        if length == 0, r.start_ts == 0, r.kind == .offCore || r.kind == .wait { return }
        switch r.kind {
        case .slice:
            if let length { onCore.record(length: length, portion: portion) } else { onCore.addPortion(portion) }
            if length != nil { seeCPU(r.cpu) }
            withThread(r) { $0.onCore &+= portion; if length != nil { $0.slices += 1 } }
        case .offCore:
            let state = Int(min(r.aux, UInt32(OffState.other.rawValue)))
            if let length {
                offCore.record(length: length, portion: portion)
                offByState[state].record(length: length, portion: portion)
            } else {
                offCore.addPortion(portion)
                offByState[state].addPortion(portion)
            }
            withThread(r) { $0.offCore &+= portion }
        case .wait:
            if let length { runnableWait.record(length: length, portion: portion) } else { runnableWait.addPortion(portion) }
            withThread(r) { $0.runnableWait &+= portion }
        default:
            break
        }
    }

    /// Everything but time episodes: counted where it ends.
    func foldEvent(_ r: Record) {
        records += 1
        guard let kind = r.kind else { unknownRecords += 1; return }
        switch kind {
        case .slice, .offCore, .wait:
            fold(r)
            records -= 1
        case .steal:
            // Clipped at the run's start only: in interval mode a steal counts
            // whole in the interval in which it ends.
            let origin = runStart ?? windowStart
            let start = r.start_ts < origin ? origin : r.start_ts
            let d = r.start_ts >= origin ? r.dur : (r.ts > start ? min(r.ts - start, r.dur) : 0)
            if thieves[r.other_pid] == nil {
                thieves[r.other_pid] = ThiefAccount(pid: r.other_pid, tgid: r.other_tgid, comm: r.commString,
                                                    kthread: r.aux & THIEF_F_KTHREAD != 0)
            }
            thieves[r.other_pid]!.count += 1
            thieves[r.other_pid]!.stolen &+= d
            if d > thieves[r.other_pid]!.max { thieves[r.other_pid]!.max = d }
        case .irq:
            let key = InterruptKey(kind: r.aux, number: r.other_pid)
            if interrupts[key] == nil {
                let name: String
                switch IRQKind(rawValue: r.aux) {
                case .soft: name = SoftIRQ.name(r.other_pid)
                case .systemVector: name = SystemVector.name(r.other_pid)
                default: name = r.commString
                }
                interrupts[key] = InterruptAccount(name: name)
            }
            interrupts[key]!.count += 1
            interrupts[key]!.total &+= r.dur
            if r.dur < interrupts[key]!.min { interrupts[key]!.min = r.dur }
            if r.dur > interrupts[key]!.max { interrupts[key]!.max = r.dur }
        case .migrate:
            let k = Int(min(r.aux, UInt32(MigrationKind.whileRunning.rawValue)))
            migrations[k] += 1
            withThread(r) { $0.migrations += 1 }
        case .newThread:
            let comm = r.commString
            withThread(r) { $0.birth = r.ts; if $0.comm.isEmpty { $0.comm = comm } }
        case .exit:
            let comm = r.commString
            withThread(r) { $0.exit = r.ts; if !comm.isEmpty { $0.comm = comm } }
        case .exec:
            let comm = r.commString
            withThread(r) { $0.comm = comm }
        }
    }

    /// A thread's birth, exit or new name, seen by a later open window.
    func noteThread(_ r: Record) {
        let comm = r.commString
        switch r.kind {
        case .newThread: withThread(r) { $0.birth = r.ts; if $0.comm.isEmpty { $0.comm = comm } }
        case .exit: withThread(r) { $0.exit = r.ts; if !comm.isEmpty { $0.comm = comm } }
        case .exec: withThread(r) { $0.comm = comm }
        default: break
        }
    }

    /// Synthetic records of the final close are not records of the run.
    func adjustRecords(by before: UInt64) { records = before }

    /// A thread carried over from the previous window (interval mode).
    func inherit(_ t: ThreadAccount) {
        threads[t.tid] = ThreadAccount(tid: t.tid, tgid: t.tgid, comm: t.comm, birth: t.birth, exit: t.exit)
    }

    /// The name a thread has now (prctl(PR_SET_NAME) sends no event).
    public func rename(tid: UInt32, comm: String) {
        if !comm.isEmpty { threads[tid]?.comm = comm }
    }

    public var cpusSeen: [Int] { cpuMask.indices.filter { cpuMask[$0] } }

    /// The window of one thread: from its creation (or the start) to its exit (or the end).
    public func window(of t: ThreadAccount) -> (start: UInt64, end: UInt64) {
        let end = windowEnd ?? windowStart
        let s = max(windowStart, t.birth ?? windowStart)
        let e = min(end, t.exit ?? end)
        return (s, max(s, e))
    }
}
