import CThiefABI

/// Makes a capture's recording out of `thief watch`'s ring: the records
/// stamped inside [start, end], a header whose window starts at `start`, and
/// a trailer that holds what each thread still had open at `end`, so that
/// `thief report capture.thief` (the same Session as any recording) rebuilds
/// the window: episodes that began before `start` are clipped to it, those
/// open at `end` are closed there.
///
/// What was open at `end` comes from the records themselves where they show
/// it (the first episode of a thread that ends after `end` began before it),
/// else from the kernel's map read after `end`, when nothing of the thread
/// changed since (its times are all at or before `end`).
public struct CaptureAssembler {
    /// The watch's header (its seeds, host, topology, …).
    public var header: RunHeader
    public var start: UInt64
    public var end: UInt64
    /// The kernel side's threads, read after `end` (RunTrailer.OpenThread: the map's values).
    public var kernelOpen: [RunTrailer.OpenThread] = []
    /// Thread names known to the watch (its seeds and births), and as /proc has them at the end.
    public var names: [UInt32: String] = [:]
    public var lostEvents: UInt64 = 0
    public var missedSwitchEvents: UInt64 = 0
    public var endReason = "capture"
    /// How many of the longest waits the capture's report details.
    public var worstWaits = WorstWaits.defaultLimit

    public init(header: RunHeader, start: UInt64, end: UInt64) {
        self.header = header
        self.start = start
        self.end = end
    }

    /// `records`: the ring's records from `start` on (arrival order), including any after `end`.
    public func assemble(_ records: [UInt8]) -> TraceFile.Contents {
        var window: [UInt8] = []
        window.reserveCapacity(records.count)
        var threads: [UInt32: ThreadTrack] = [:]
        var born = Set<UInt32>()
        records.withUnsafeBytes { raw in
            var at = 0
            while at + Record.size <= raw.count {
                let p = raw.baseAddress! + at
                at += Record.size
                let ts = EventDecoder.time(p)
                guard ts >= start else { continue }
                if ts <= end { window.append(contentsOf: UnsafeRawBufferPointer(start: p, count: Record.size)) }
                guard let event = EventDecoder.decode(p.loadUnaligned(as: Record.self)) else { continue }
                if case .threadBorn(let c) = event, c.time <= end { born.insert(c.tid) }
                Self.track(event, end: end, into: &threads)
            }
        }
        var h = header
        h.runStart = start
        h.startEpochNs = header.startEpochNs &+ (start >= header.runStart ? start - header.runStart : 0)
        h.interval = nil
        h.intervalCount = nil
        h.worstWaits = worstWaits
        let open = openAtEnd(threads)
        h.seeds = seeds(threads, open: open, born: born)
        let trailer = RunTrailer(
            end: end, endReason: endReason, exitStatus: nil, lostEvents: lostEvents,
            missedSwitchEvents: missedSwitchEvents, open: open, untouched: [:],
            names: names.filter { tid, _ in threads[tid] != nil || open.contains { $0.tid == tid } })
        return TraceFile.Contents(header: h, records: window, trailer: trailer)
    }

    /// What the records say of one thread around the window.
    struct ThreadTrack {
        var tgid: UInt32 = 0
        var exited = false
        /// The first slice or off-core interval that ends after `end` (it was open there).
        var openOnOff: Event?
        /// The first wait that ends after `end`.
        var openWait: WaitEnded?
        /// The first slice or off-core interval of the window: the state at its start.
        var first: Event?
    }

    static func track(_ event: Event, end: UInt64, into threads: inout [UInt32: ThreadTrack]) {
        switch event {
        case .slice(let s):
            threads[s.tid, default: ThreadTrack()].tgid = s.tgid
            if threads[s.tid]!.first == nil { threads[s.tid]!.first = event }
            if s.end > end, threads[s.tid]!.openOnOff == nil { threads[s.tid]!.openOnOff = event }
        case .offCore(let o):
            threads[o.tid, default: ThreadTrack()].tgid = o.tgid
            if threads[o.tid]!.first == nil { threads[o.tid]!.first = event }
            if o.end > end, threads[o.tid]!.openOnOff == nil { threads[o.tid]!.openOnOff = event }
        case .wait(let w):
            threads[w.tid, default: ThreadTrack()].tgid = w.tgid
            if w.end > end, threads[w.tid]!.openWait == nil { threads[w.tid]!.openWait = w }
        case .threadExit(let c) where c.time <= end:
            threads[c.tid, default: ThreadTrack()].tgid = c.tgid
            threads[c.tid]!.exited = true
        default: break
        }
    }

    /// Each thread still there at `end`, with what it had open then.
    func openAtEnd(_ threads: [UInt32: ThreadTrack]) -> [RunTrailer.OpenThread] {
        let kernel = Dictionary(kernelOpen.map { ($0.tid, $0) }, uniquingKeysWith: { a, _ in a })
        var out: [RunTrailer.OpenThread] = []
        for tid in Set(threads.keys).union(kernel.keys).sorted() {
            let t = threads[tid] ?? ThreadTrack()
            if t.exited { continue }
            var s = thief_tstate()
            s.tgid = t.tgid != 0 ? t.tgid : kernel[tid]?.tgid ?? 0
            s.seen_in = 1
            switch t.openOnOff {
            case .slice(let e) where e.start <= end:
                (s.running, s.on_ts, s.on_cpu) = (1, e.start, e.cpu)
            case .offCore(let e) where e.start <= end:
                (s.off_ts, s.off_state) = (e.start, UInt8(e.state.rawValue))
            default:
                // Unchanged since `end`: the kernel's map says what was open then.
                guard let k = kernel[tid], max(k.onTs, k.offTs) <= end else { continue }
                (s.running, s.on_ts, s.on_cpu) = (k.running, k.onTs, k.onCpu)
                (s.off_ts, s.off_state) = (k.offTs, k.offState)
            }
            if let w = t.openWait, w.start <= end {
                (s.waiting, s.wait_ts, s.wait_cpu) = (1, w.start, UInt16(truncatingIfNeeded: w.queueCPU))
            } else if t.openWait == nil, let k = kernel[tid], k.waiting != 0, k.waitTs <= end {
                (s.waiting, s.wait_ts, s.wait_cpu) = (1, k.waitTs, k.waitCpu ?? 0)
            }
            out.append(RunTrailer.OpenThread(tid: tid, s))
        }
        return out
    }

    /// The threads there at `start`: named, in the state their first episode of the window shows.
    func seeds(_ threads: [UInt32: ThreadTrack], open: [RunTrailer.OpenThread], born: Set<UInt32>)
        -> [ThreadSeed]
    {
        var tgids: [UInt32: UInt32] = [:]
        for (tid, t) in threads { tgids[tid] = t.tgid }
        for o in open where tgids[o.tid] == nil { tgids[o.tid] = o.tgid }
        return tgids.keys.sorted().compactMap { tid in
            guard !born.contains(tid), let tgid = tgids[tid], tgid != 0 else { return nil }
            var state: OffState
            switch threads[tid]?.first {
            case .offCore(let o): state = o.state
            case .slice: state = .preempted
            default:
                let o = open.first { $0.tid == tid }
                state = o.map { $0.running != 0 ? .preempted : OffState(kernel: UInt32($0.offState)) } ?? .sleeping
            }
            return ThreadSeed(tid: tid, tgid: tgid, comm: names[tid] ?? "", state: state)
        }
    }
}

extension CaptureAssembler {
    /// One wait of a capture broken down as the worst waits are, whatever its
    /// rank: the capture replayed with every other wait left out, so that it is
    /// the only one the worst waits can keep (what held its CPU, its
    /// interrupts and its waker come from the other records, all kept).
    public static func breakdown(_ c: TraceFile.Contents, tid: UInt32, end: UInt64) -> Report.WorstWait? {
        var only = c
        only.header.worstWaits = 1
        var kept: [UInt8] = []
        kept.reserveCapacity(c.records.count)
        c.records.withUnsafeBytes { raw in
            var at = 0
            while at + Record.size <= raw.count {
                let p = raw.baseAddress! + at
                at += Record.size
                let r = p.loadUnaligned(as: Record.self)
                if Int(r.type) == Int(THIEF_REC_WAIT.rawValue), r.tid != tid || r.ts != end { continue }
                kept.append(contentsOf: UnsafeRawBufferPointer(start: p, count: Record.size))
            }
        }
        only.records = kept
        return Replay.reports(only, interval: nil).last?.worstWaits?.first { $0.tid == tid }
    }
}

extension TraceFile {
    /// A whole recording's bytes: the header, the records in frames of up to 1 MiB, the trailer.
    public static func encode(_ c: Contents) throws -> [UInt8] {
        var out = try encodeStart(c.header)
        let frame = (1 << 20) / Record.size * Record.size
        var at = 0
        while at < c.records.count {
            let n = min(frame, c.records.count - at)
            out += encodeRecords(Array(c.records[at..<(at + n)]))
            at += n
        }
        return out + (try encodeEnd(c.trailer))
    }
}
