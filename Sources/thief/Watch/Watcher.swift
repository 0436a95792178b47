import CThiefSys
import FoundationEssentials
import Glibc
import ThiefCore
import ThiefGate
import ThiefTracer

/// `thief watch`'s flight recorder: keeps the newest records in a ring
/// (`--memory`), decides on each wait as it ends (`wait > 20ms`), and when a
/// trigger fires collects its after-window, then writes the capture
/// (CaptureWriter) and re-arms.
final class Watcher: LiveTap {
    let settings: WatchSettings
    let ring: RecordRing
    let store: CaptureDirectory
    private var policy: CapturePolicy
    private var header: RunHeader?
    private var probe: LiveProbe?
    private var watchStart: UInt64 = 0
    /// Thread names: the seeds', then births' and execs'.
    private var names: [UInt32: String] = [:]
    /// The capture being collected: its first trigger and later ones.
    private var pending: CaptureTrigger?
    private var seq = 0
    /// This watch's captures on disk, oldest first (the worker's: it writes and removes them).
    private var made: [CaptureDirectory.Made] = []
    /// Writes the captures while the consumer keeps draining.
    private let worker = CaptureWorker()
    /// The kernel's counters (lost, missed) sampled as the watch goes, to give each capture its own.
    private var counterSamples: [(time: UInt64, lost: UInt64, missed: UInt64)] = []
    private let waitRules: [WatchRule]
    private var windowJudges: [WindowJudge] = []
    /// Suppressed triggers counted by captures already written (the summary line's total).
    private var suppressedWritten = 0
    /// The watch ended: the run's finish still drains the records of the
    /// moments after (while the last capture is written, seconds under load),
    /// and a trigger among them would open a capture nobody writes, or log
    /// "suppressed" after the summary that counted 0.
    private var ended = false

    init(settings: WatchSettings) throws {
        self.settings = settings
        ring = RecordRing(bytes: settings.memoryBytes)
        store = try CaptureDirectory(settings.dir)
        policy = CapturePolicy(afterNs: settings.afterNs, maxAfterNs: settings.maxAfterNs)
        policy.cooldownNs = settings.cooldownNs
        policy.maxPerHour = settings.maxPerHour
        policy.hourNs = settings.hourNs
        waitRules = settings.rules.filter { if case .wait = $0 { true } else { false } }
        for case .window(let rule, let ns) in settings.rules {
            windowJudges.append(WindowJudge(rule: rule, windowNs: ns))
        }
    }

    // MARK: LiveTap

    func live(header: RunHeader, session: Session, probe: LiveProbe) throws {
        self.header = header
        self.probe = probe
        watchStart = header.runStart
        for s in header.seeds { names[s.tid] = s.comm }
        session.observer = { [unowned self] in self.observe($0) }
        thief_signals_install_usr1()
    }

    @inline(__always)
    func samples(_ data: UnsafeRawPointer, _ size: Int) { ring.append(data, size) }

    func tick(now: UInt64) throws {
        if let failure = worker.failure { throw failure }
        sampleCounters(now: now)
        if thief_signals_take_usr1() != 0 { fire(rule: "SIGUSR1", kind: "signal", value: 0, at: now, wait: nil) }
        judgeWindows(now: now)
        if let p = pending, now > p.capture.endNs { write(end: p.capture.endNs, cutShort: false) }
    }

    func ending(now: UInt64) throws {
        ended = true
        // Read at the end, before the wait for the writer: tracing is still
        // attached meanwhile and nothing drains, so records lost then (573,154
        // once, on redis under redis-benchmark) came after the watch.
        let counters = probe?.counters()
        if let p = pending { write(end: min(p.capture.endNs, now), cutShort: now < p.capture.endNs) }
        worker.finish()
        if let failure = worker.failure { throw failure }
        summary(counters)
    }

    /// The watch's last line: what it wrote and what it suppressed (the
    /// triggers after the last capture too, which no capture counts), and the
    /// kernel side's records lost and switches rebuilt over the whole watch.
    private func summary(_ counters: (lost: UInt64, missed: UInt64)?) {
        guard !settings.quiet, let c = counters else { return }
        let kept = settings.keep.map { "; \(made.count) kept (--keep \($0))" } ?? ""
        stderrLine(
            "thief watch: ended: \(seq) capture(s)\(kept); \(suppressedWritten + policy.suppressed) trigger(s) "
                + "suppressed; \(c.lost) record(s) lost, \(c.missed) switch(es) rebuilt")
    }

    // MARK: Triggers

    /// Every event the session sees, in order.
    @inline(__always)
    private func observe(_ event: Event) {
        switch event {
        case .wait(let w):
            let start = max(w.start, watchStart)
            let length = w.end > start ? w.end - start : 0
            for rule in waitRules where rule.fires(waitNs: length) {
                let wait = CaptureTrigger.Wait(
                    tid: w.tid, tgid: w.tgid, comm: names[w.tid] ?? "", cpu: UInt32(w.cpu), queueCpu: w.queueCPU,
                    startNs: start, endNs: w.end, durationNs: length)
                fire(rule: rule.description, kind: "wait", value: Double(length), at: w.end, wait: wait)
                break
            }
        case .threadBorn(let c), .threadExec(let c): names[c.tid] = c.comm.string
        // Bounded by the threads alive: a capture's records name the exited ones themselves.
        case .threadExit(let c): names[c.tid] = nil
        default: break
        }
    }

    /// A trigger fired at `t`: starts a capture, joins the open one, or is suppressed.
    func fire(rule: String, kind: String, value: Double, at t: UInt64, wait: CaptureTrigger.Wait?) {
        guard !ended else { return }
        let detected = thief_monotonic_ns()
        switch policy.fire(at: t) {
        case .start(let end):
            // As far back as asked, the watch ran, and the ring still reaches.
            let wanted = max(t >= settings.beforeNs ? t - settings.beforeNs : 0, watchStart)
            let window = CaptureTrigger.Window(
                startNs: wanted, endNs: end, beforeNs: settings.beforeNs, afterNs: settings.afterNs,
                coversBeforeNs: t > wanted ? t - wanted : 0, coversAfterNs: settings.afterNs, memoryCut: false,
                cutShort: false, records: 0)
            pending = CaptureTrigger(
                rule: rule, kind: kind, value: value, timeNs: t, time: wallTime(t), detectedNs: detected, wait: wait,
                capture: window)
        case .join(let end):
            pending?.joined.append(CaptureTrigger.Joined(rule: rule, value: value, timeNs: t))
            pending?.capture.endNs = end
        case .suppress:
            // One line for the first; the next capture's line and trigger.json count them all.
            if !settings.quiet, policy.suppressed == 1 {
                stderrLine(
                    "thief watch: \(wallTime(t)) \(rule) value \(Self.format(value, kind: kind, rule: rule)) suppressed "
                        + "(--cooldown/--max-per-hour); the next capture counts the suppressed triggers")
            }
        }
    }

    /// The window rules due at `now`; each that holds fires at `now`.
    private func judgeWindows(now: UInt64) {
        guard !windowJudges.isEmpty, let header, let probe else { return }
        for i in windowJudges.indices {
            let rule = WatchRule.window(windowJudges[i].rule, windowNs: windowJudges[i].windowNs)
            if let value = windowJudges[i].judge(
                now: now, watchStart: watchStart, header: header, ring: ring, open: { probe.openThreads() },
                names: names)
            {
                fire(rule: rule.description, kind: "window", value: value, at: now, wait: nil)
            }
        }
    }

    // MARK: Captures

    /// Writes the pending capture, its window ending at `end`.
    private func write(end: UInt64, cutShort: Bool) {
        guard var t = pending, let header, let probe else { return }
        pending = nil
        t.suppressed = policy.closed()
        suppressedWritten += t.suppressed
        // The ring may have let go of the window's oldest records meanwhile (--memory).
        if ring.droppedUpTo >= t.capture.startNs {
            t.capture.startNs = min(ring.droppedUpTo &+ 1, t.timeNs)
            t.capture.coversBeforeNs = t.timeNs - t.capture.startNs
            t.capture.memoryCut = true
        }
        t.capture.endNs = end
        t.capture.coversAfterNs = end > t.timeNs ? end - t.timeNs : 0
        t.capture.cutShort = cutShort
        seq += 1
        var assembler = CaptureAssembler(header: header, start: t.capture.startNs, end: end)
        assembler.kernelOpen = probe.openThreads()
        assembler.names = names
        for o in assembler.kernelOpen where names[o.tid] == nil {
            if let n = ProcFS.comm(pid: Int32(o.tgid), tid: Int32(o.tid)) { assembler.names[o.tid] = n }
        }
        let counters = probe.counters()
        let before = counterSamples.last { $0.time <= t.capture.startNs } ?? counterSamples.first
        assembler.lostEvents = counters.lost - min(counters.lost, before?.lost ?? 0)
        assembler.missedSwitchEvents = counters.missed - min(counters.missed, before?.missed ?? 0)
        assembler.worstWaits = max(WorstWaits.defaultLimit, 10)
        // The copy of the window's records is the consumer's; the rest is the worker's.
        let records = ring.records(from: t.capture.startNs)
        let name = captureName(header, t)
        let (trigger, job) = (t, assembler)
        worker.submit { [self] in self.finish(job, records, trigger: trigger, name: name, end: end) }
    }

    /// On the worker: assembles and writes the capture, logs it, applies --keep.
    private func finish(
        _ assembler: CaptureAssembler, _ records: [UInt8], trigger: CaptureTrigger, name: String, end: UInt64
    ) {
        let contents = assembler.assemble(records)
        var t = trigger
        t.capture.records = contents.recordCount
        do {
            let m = try CaptureWriter(store: store).write(contents, trigger: t, name: name)
            made.append(m)
            let now = thief_monotonic_ns()
            log(t, path: settings.dir + "/" + m.name, writtenNs: now > end ? now - end : 0)
            try keepNewest()
        } catch {
            worker.fail(error)
        }
        // The capture's replay and renderings are freed now, but glibc keeps
        // the worker's arena pages: RSS crept up 6.8 kB a capture over a
        // 10-minute soak (876 kB). Giving them back keeps it flat.
        thief_malloc_trim()
    }

    /// --keep N: removes this watch's oldest captures beyond N (never anything it did not make).
    private func keepNewest() throws {
        guard let keep = settings.keep else { return }
        while made.count > keep {
            let old = made.removeFirst()
            if !store.remove(old), !settings.quiet {
                stderrLine("thief watch: --keep: left \(settings.dir)/\(old.name) (it changed since thief wrote it)")
            }
        }
    }

    /// One line a capture, for journald: time, rule, value, path.
    private func log(_ t: CaptureTrigger, path: String, writtenNs: UInt64) {
        guard !settings.quiet else { return }
        var line =
            "thief watch: \(t.time) \(t.rule) value \(Self.format(t.value, kind: t.kind, rule: t.rule)) -> \(path)"
        if let w = t.wait { line += " (tid \(w.tid) \(w.comm))" }
        if !t.joined.isEmpty { line += "; \(t.joined.count) joined" }
        if t.suppressed > 0 { line += "; \(t.suppressed) suppressed" }
        // How soon the trigger was seen, and the capture on disk: the two limits of issue 21.
        line += String(cFormat: "; seen %.1fms after it", Double(t.latencyNs) / 1e6)
        line += String(cFormat: "; on disk %.0fms after its window", Double(writtenNs) / 1e6)
        stderrLine(line)
    }

    /// thief-HOST-TARGET-UTCTIME-SEQ.
    private func captureName(_ h: RunHeader, _ t: CaptureTrigger) -> String {
        let stamp = t.time.filter { $0.isNumber || $0 == "T" || $0 == "Z" }
        let target = CaptureDirectory.namePart(h.comm.isEmpty ? "\(h.pid)" : h.comm)
        return "thief-\(CaptureDirectory.namePart(h.host))-\(target)-\(stamp)-\(seq)"
    }

    private func sampleCounters(now: UInt64) {
        guard let probe, counterSamples.last.map({ now - $0.time >= 250_000_000 }) ?? true else { return }
        let c = probe.counters()
        counterSamples.append((now, c.lost, c.missed))
        let keep = settings.beforeNs &+ settings.maxAfterNs &+ 2_000_000_000
        while counterSamples.count > 2, now - counterSamples[1].time > keep { counterSamples.removeFirst() }
    }

    private func wallTime(_ mono: UInt64) -> String {
        guard let h = header else { return "" }
        return RFC3339.format(epochNs: h.startEpochNs &+ (mono > h.runStart ? mono - h.runStart : 0))
    }

    /// A wait's length in ms; a window rule's value in its rule's terms
    /// (a share in %, a time in ms, a count).
    static func format(_ value: Double, kind: String, rule: String = "") -> String {
        if kind == "wait" { return String(cFormat: "%.3fms", value / 1e6) }
        if kind == "signal" { return "-" }
        if rule.contains("%") { return String(cFormat: "%.1f%%", value * 100) }
        if rule.contains(#/[0-9](ns|us|ms|s) over/#) {
            return String(cFormat: "%.3fms", value / 1e6)
        }
        return String(cFormat: "%g", value)
    }
}
