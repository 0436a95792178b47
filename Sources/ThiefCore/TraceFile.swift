import CThiefABI
import Foundation

/// What a run knows before its first record: everything the report needs
/// besides the records. Stored as the header of a recording.
public struct RunHeader: Codable, Sendable, Equatable {
    public struct Seed: Codable, Sendable, Equatable {
        public var tid: UInt32
        public var tgid: UInt32
        public var comm: String
        /// Its state when tracing started (enum thief_off_state, from /proc): the
        /// kernel side counts it off-core in this state from the window's start.
        /// Absent in recordings made before thief stored it.
        public var state: UInt8?
        public init(tid: UInt32, tgid: UInt32, comm: String, state: UInt8? = nil) {
            self.tid = tid; self.tgid = tgid; self.comm = comm; self.state = state
        }
    }

    public var abiVersion = Record.abiVersion
    public var recordSize = Record.size
    public var version: String
    public var host: String
    public var kernel: String
    public var pid: Int32
    public var comm: String
    public var command: [String]?
    /// CLOCK_MONOTONIC at the window's start, and the wall clock then (ns since the epoch).
    public var runStart: UInt64
    public var startEpochNs: UInt64
    public var attach: String
    public var programs: Int
    public var seeds: [Seed]
    /// The live run's --interval and --count, if any.
    public var interval: UInt64?
    public var intervalCount: Int?
    /// The machine's online CPUs when the run started: how many, and which
    /// (absent in older recordings).
    public var cpus: Int?
    public var onlineCPUs: [Int]?

    /// `onlineCPUs`: by default this machine's (/sys/devices/system/cpu/online).
    public init(version: String, host: String, kernel: String, pid: Int32, comm: String, command: [String]?,
                runStart: UInt64, startEpochNs: UInt64, attach: String, programs: Int, seeds: [Seed],
                onlineCPUs: [Int]? = RunHeader.onlineCPUs()) {
        self.version = version; self.host = host; self.kernel = kernel; self.pid = pid; self.comm = comm
        self.command = command; self.runStart = runStart; self.startEpochNs = startEpochNs
        self.attach = attach; self.programs = programs; self.seeds = seeds
        self.onlineCPUs = onlineCPUs
        self.cpus = onlineCPUs?.count
    }

    /// This machine's online CPUs, from /sys/devices/system/cpu/online ("0-3,6").
    public static func onlineCPUs(_ text: String? = ProcFS.read("/sys/devices/system/cpu/online")) -> [Int]? {
        guard let text else { return nil }
        var out: [Int] = []
        for part in text.split(whereSeparator: { $0 == "," || $0 == "\n" || $0 == " " }) {
            let ends = part.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
            switch ends.count {
            case 1: guard let a = ends[0], a >= 0 else { return nil }; out.append(a)
            case 2:
                guard let a = ends[0], let b = ends[1], a >= 0, a <= b, b - a < 65_536 else { return nil }
                out += Array(a...b)
            default: return nil
            }
        }
        return out.isEmpty ? nil : out
    }
}

/// What a run knows at its end. Stored as the trailer of a recording.
public struct RunTrailer: Codable, Sendable, Equatable {
    public struct OpenThread: Codable, Sendable, Equatable {
        public var tid: UInt32
        public var tgid: UInt32
        public var onTs: UInt64
        public var offTs: UInt64
        public var waitTs: UInt64
        public var onCpu: UInt16
        public var running: UInt8
        public var waiting: UInt8
        public var offState: UInt8
        public var seenIn: UInt8

        public init(tid: UInt32, _ s: thief_tstate) {
            self.tid = tid; tgid = s.tgid; onTs = s.on_ts; offTs = s.off_ts; waitTs = s.wait_ts
            onCpu = s.on_cpu; running = s.running; waiting = s.waiting; offState = s.off_state; seenIn = s.seen_in
        }

        public var state: thief_tstate {
            var s = thief_tstate()
            s.tgid = tgid; s.on_ts = onTs; s.off_ts = offTs; s.wait_ts = waitTs; s.on_cpu = onCpu
            s.running = running; s.waiting = waiting; s.off_state = offState; s.seen_in = seenIn
            return s
        }
    }

    public var end: UInt64
    public var endReason: String
    public var exitStatus: Int32?
    public var lostEvents: UInt64
    public var missedSwitchEvents: UInt64
    public var open: [OpenThread]
    /// Threads with no event in the whole window: on-core ns from the kernel's books.
    public var untouched: [UInt32: UInt64]
    /// Thread names at the end (prctl renames send no event).
    public var names: [UInt32: String]
    /// --self-cost of the live run.
    public var selfCost: Report.SelfCost?
    /// With --interval: the kernel's counters as each interval closed (what
    /// the live run printed in it). Absent in older recordings.
    public var intervals: [IntervalCounters]?

    public struct IntervalCounters: Codable, Sendable, Equatable {
        public var index: Int
        public var lostEvents: UInt64
        public var missedSwitchEvents: UInt64
        public init(index: Int, lostEvents: UInt64, missedSwitchEvents: UInt64) {
            self.index = index; self.lostEvents = lostEvents; self.missedSwitchEvents = missedSwitchEvents
        }
    }

    public init(end: UInt64, endReason: String, exitStatus: Int32?, lostEvents: UInt64, missedSwitchEvents: UInt64,
                open: [OpenThread], untouched: [UInt32: UInt64], names: [UInt32: String]) {
        self.end = end; self.endReason = endReason; self.exitStatus = exitStatus; self.lostEvents = lostEvents
        self.missedSwitchEvents = missedSwitchEvents; self.open = open; self.untouched = untouched; self.names = names
    }
}

extension RunHeader {
    /// The report metadata of a window of this run. Live runs and replays
    /// both build reports through here, so they agree byte for byte.
    public func meta(window: Aggregator, trailer: RunTrailer?, intervalIndex: Int?, interval: UInt64?,
                     lostSoFar: UInt64, missedSoFar: UInt64) -> ReportMeta {
        let offset = window.windowStart >= runStart ? window.windowStart - runStart : 0
        var m = ReportMeta(
            version: version, host: host, kernel: kernel, pid: pid,
            comm: window.threads[UInt32(bitPattern: pid)]?.comm.nonEmptyOr(comm) ?? comm,
            command: command, exitStatus: trailer?.exitStatus,
            startTime: RFC3339.format(epochNs: startEpochNs &+ offset),
            endReason: trailer?.endReason ?? "interval",
            lostEvents: trailer?.lostEvents ?? lostSoFar,
            missedSwitchEvents: trailer?.missedSwitchEvents ?? missedSoFar,
            attach: attach, programs: programs)
        m.startEpochNs = startEpochNs &+ offset
        m.cpusOnline = cpus
        if let intervalIndex, let interval { m.interval = Report.Interval(index: intervalIndex, lengthNs: interval) }
        m.selfCost = trailer?.selfCost
        return m
    }
}

extension String {
    func nonEmptyOr(_ other: String) -> String { isEmpty ? other : self }
}

/// RFC 3339 in UTC with milliseconds, without Foundation's formatters (stable output).
public enum RFC3339 {
    public static func format(epochNs: UInt64) -> String {
        let secs = Int64(epochNs / 1_000_000_000)
        let ms = Int((epochNs / 1_000_000) % 1000)
        var t = time_t(secs)
        var tmv = tm()
        gmtime_r(&t, &tmv)
        func p(_ v: Int32, _ w: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, w - s.count)) + s }
        return "\(p(tmv.tm_year + 1900, 4))-\(p(tmv.tm_mon + 1, 2))-\(p(tmv.tm_mday, 2))T"
            + "\(p(tmv.tm_hour, 2)):\(p(tmv.tm_min, 2)):\(p(tmv.tm_sec, 2)).\(p(Int32(ms), 3))Z"
    }
}

/// A recording (`thief record`, `--record FILE`): a versioned binary file of
/// framed chunks: "THIEFREC", a u32 format version, then frames of
/// (u8 tag, u32 length, payload): 'H' the JSON RunHeader (first), 'R' raw
/// 64-byte records in arrival order, 'T' the JSON RunTrailer (last).
/// Little-endian throughout. The reader checks every length against the file.
public enum TraceFile {
    public static let magic = Array("THIEFREC".utf8)
    public static let formatVersion: UInt32 = 1

    public struct Invalid: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// A parsed recording.
    public struct Contents {
        public var header: RunHeader
        public var records: [UInt8]
        public var trailer: RunTrailer
        public var recordCount: Int { records.count / Record.size }
    }

    public static func parse(_ data: [UInt8], name: String = "recording") throws -> Contents {
        func bad(_ why: String) -> Invalid { Invalid(description: "\(name): \(why)") }
        guard data.count >= 12, Array(data[0..<8]) == magic else {
            throw bad("not a thief recording (bad magic)")
        }
        let version = le32(data, 8)
        guard version == formatVersion else {
            throw bad("recording format version \(version); this thief reads version \(formatVersion)")
        }
        var at = 12
        var header: RunHeader?
        var trailer: RunTrailer?
        var records: [UInt8] = []
        let dec = JSONDecoder()
        while at < data.count {
            guard data.count - at >= 5 else { throw bad("truncated frame header at byte \(at)") }
            let tag = data[at]
            let len = Int(le32(data, at + 1))
            at += 5
            guard len <= data.count - at else { throw bad("truncated: a frame at byte \(at - 5) claims \(len) bytes, \(data.count - at) remain") }
            let payload = data[at..<(at + len)]
            at += len
            switch tag {
            case UInt8(ascii: "H"):
                guard header == nil else { throw bad("two headers") }
                do { header = try dec.decode(RunHeader.self, from: Data(payload)) } catch { throw bad("corrupt header") }
                guard header!.recordSize == Record.size, header!.abiVersion == Record.abiVersion else {
                    throw bad("record layout \(header!.abiVersion)/\(header!.recordSize) bytes; this thief reads \(Record.abiVersion)/\(Record.size)")
                }
            case UInt8(ascii: "R"):
                guard header != nil, trailer == nil else { throw bad("records outside header and trailer") }
                guard len % Record.size == 0 else { throw bad("a record frame of \(len) bytes is not a whole number of records") }
                records.append(contentsOf: payload)
            case UInt8(ascii: "T"):
                guard header != nil, trailer == nil else { throw bad("misplaced trailer") }
                do { trailer = try dec.decode(RunTrailer.self, from: Data(payload)) } catch { throw bad("corrupt trailer") }
            default:
                throw bad("unknown frame '\(tag)' at byte \(at - len - 5)")
            }
        }
        guard let header else { throw bad("no header") }
        guard let trailer else { throw bad("truncated: no trailer (the recording was cut off before the run ended)") }
        guard trailer.end >= header.runStart else { throw bad("corrupt: the run ends before it starts") }
        // Every record lies inside the run (tracing stops before the window closes).
        var offset = 0
        while offset + Record.size <= records.count {
            let ts = records.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: Record.self).ts }
            // (Records may start a little before the window: attach takes time.)
            guard ts <= trailer.end, ts >= header.runStart - min(header.runStart, 1_000_000_000) else {
                throw bad("corrupt: record \(offset / Record.size) lies outside the recorded run")
            }
            offset += Record.size
        }
        return Contents(header: header, records: records, trailer: trailer)
    }

    static func le32(_ d: [UInt8], _ i: Int) -> UInt32 {
        UInt32(d[i]) | UInt32(d[i + 1]) << 8 | UInt32(d[i + 2]) << 16 | UInt32(d[i + 3]) << 24
    }

    static func frame(_ tag: Character, _ payload: [UInt8]) -> [UInt8] {
        let n = UInt32(payload.count)
        return [UInt8(ascii: tag.unicodeScalars.first!), UInt8(n & 0xff), UInt8((n >> 8) & 0xff),
                UInt8((n >> 16) & 0xff), UInt8(n >> 24)] + payload
    }

    public static func encodeStart(_ header: RunHeader) throws -> [UInt8] {
        var out = magic
        let v = formatVersion
        out += [UInt8(v & 0xff), UInt8((v >> 8) & 0xff), UInt8((v >> 16) & 0xff), UInt8(v >> 24)]
        out += frame("H", Array(try sortedEncoder().encode(header)))
        return out
    }

    public static func encodeRecords(_ bytes: [UInt8]) -> [UInt8] { frame("R", bytes) }

    public static func encodeEnd(_ trailer: RunTrailer) throws -> [UInt8] {
        frame("T", Array(try sortedEncoder().encode(trailer)))
    }

    static func sortedEncoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }
}

/// Rebuilds the reports of a recording: the same Session and metadata code as
/// a live run, so `thief report` prints what the live run printed.
public enum Replay {
    /// The most intervals a replay makes (a guard against a tiny --interval).
    public static let maxIntervals: UInt64 = 100_000

    public static func intervalCount(_ c: TraceFile.Contents, interval: UInt64) -> UInt64 {
        (c.trailer.end - c.header.runStart) / max(interval, 1) + 1
    }

    public static func reports(_ c: TraceFile.Contents, interval: UInt64?) -> [Report] {
        let h = c.header
        let interval = interval.flatMap { intervalCount(c, interval: $0) <= maxIntervals ? $0 : nil }
        let limit = interval != nil && interval == h.interval ? h.intervalCount : nil
        let session = Session(runStart: h.runStart, interval: interval, limit: limit)
        for s in h.seeds {
            session.addThread(tid: s.tid, tgid: s.tgid, comm: s.comm, state: seedState(s, c))
        }
        // The counters the live run printed in each interval; a replay with
        // another interval (or a recording without them) shows the final ones.
        var counters: [Int: RunTrailer.IntervalCounters] = [:]
        if interval != nil, interval == h.interval {
            for i in c.trailer.intervals ?? [] { counters[i.index] = i }
        }
        var out: [Report] = []
        session.onInterval = { agg, idx in
            let k = counters[idx]
            out.append(agg.report(h.meta(window: agg, trailer: nil, intervalIndex: idx, interval: interval,
                                         lostSoFar: k?.lostEvents ?? c.trailer.lostEvents,
                                         missedSoFar: k?.missedSwitchEvents ?? c.trailer.missedSwitchEvents)))
        }
        c.records.withUnsafeBytes { raw in
            var at = 0
            while at + Record.size <= raw.count {
                session.fold(bytes: raw.baseAddress! + at, count: Record.size)
                at += Record.size
            }
        }
        let (last, idx) = session.finish(at: c.trailer.end, open: c.trailer.open.map { ($0.tid, $0.state) },
                                         untouchedOnCore: c.trailer.untouched)
        for (tid, name) in c.trailer.names { last.rename(tid: tid, comm: name) }
        out.append(last.report(h.meta(window: last, trailer: c.trailer, intervalIndex: interval == nil ? nil : idx,
                                      interval: interval, lostSoFar: 0, missedSoFar: 0)))
        return out
    }

    /// A seed's state at the start. Recordings before thief stored it: the
    /// state the kernel side gave its first off-core interval (the seed's),
    /// or, with no such record, the state it still had at the end.
    static func seedState(_ s: RunHeader.Seed, _ c: TraceFile.Contents) -> OffState? {
        if let st = s.state { return OffState(rawValue: Int(min(st, UInt8(OffState.other.rawValue)))) }
        let found: UInt32? = c.records.withUnsafeBytes { raw in
            var at = 0
            while at + Record.size <= raw.count {
                let r = raw.loadUnaligned(fromByteOffset: at, as: Record.self)
                at += Record.size
                guard r.tid == s.tid, let k = r.kind, k == .slice || k == .offCore else { continue }
                return k == .offCore && r.start_ts == 0 ? r.aux : nil
            }
            return nil
        }
        if let found { return OffState(rawValue: Int(min(found, UInt32(OffState.other.rawValue)))) }
        if let o = c.trailer.open.first(where: { $0.tid == s.tid }), o.running == 0, o.offTs == 0 {
            return OffState(rawValue: Int(min(o.offState, UInt8(OffState.other.rawValue))))
        }
        return nil
    }
}
