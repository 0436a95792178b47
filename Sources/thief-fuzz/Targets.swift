import Foundation
import ThiefCore
import ThiefGate
import ThiefReport

/// The fuzz targets: each takes any bytes, must never trap, and checks
/// invariants that are cheap to state (a broken one is a crash too).
/// scripts/fuzz.sh runs them; seeds are in Tests/Fuzz/Corpus/<target>/.
enum FuzzTarget: String, CaseIterable {
    case recording, pipeline, report, rule, duration, tids
    case csvHeader = "csv-header"
    case procStat = "proc-stat"
    case procSched = "proc-sched"
    case onlineCPUs = "online-cpus"
    case kallsyms

    func run(_ data: [UInt8]) {
        switch self {
        case .recording: Self.recording(data)
        case .pipeline: Self.pipeline(data)
        case .report: Self.report(data)
        case .rule: Self.rule(Self.text(data))
        case .duration: Self.duration(Self.text(data))
        case .tids: Self.tids(Self.text(data))
        case .csvHeader: Self.csvHeader(data)
        case .procStat: Self.procStat(Self.text(data))
        case .procSched: Self.procSched(data)
        case .onlineCPUs: Self.onlineCPUs(Self.text(data))
        case .kallsyms: Self.kallsyms(data)
        }
    }

    static func text(_ data: some Collection<UInt8>) -> String { String(decoding: data, as: UTF8.self) }

    static func require(_ ok: Bool, _ what: @autoclosure () -> String) {
        if !ok { fatalError("invariant broken: \(what())") }
    }

    static func oneLine(_ message: String, _ what: String) {
        require(
            !message.isEmpty && !message.contains(where: \.isNewline),
            "\(what) is not one line: \(message.debugDescription)")
    }

    /// A recording's frames, its values unchecked (what `parse` would refuse
    /// as impossible is replayed all the same: the analyses' arithmetic must
    /// hold on anything), replayed and rendered.
    static func recording(_ data: [UInt8]) {
        let contents: TraceFile.Contents
        do { contents = try TraceFile.parse(data, name: "recording", checkValues: false) } catch {
            oneLine("\(error)", "TraceFile error")
            return
        }
        require(contents.records.count % Record.size == 0, "records are not whole")
        var intervals: [UInt64?] = [nil]
        if let i = contents.header.interval, Replay.intervalCount(contents, interval: i) <= 64 { intervals.append(i) }
        for interval in intervals {
            let reports = Replay.reports(contents, interval: interval)
            require(!reports.isEmpty, "a replay without a report")
            for r in reports {
                _ = TextRenderer.render(r)
                _ = CSVRenderer.rows(r, perThread: true)
                _ = OpenMetricsRenderer.render(r)
                _ = try? JSONRenderer.render(r)
            }
        }
    }

    /// The whole path of `thief report FILE`: recording → replay → report →
    /// advice → every renderer (text, JSON, NDJSON, CSV, OpenMetrics, HTML,
    /// Perfetto) → a gate over the reports, with each advice's own verify
    /// rule, which must parse. A damaged recording is refused in one line;
    /// one that is read must go all the way without a trap.
    static func pipeline(_ data: [UInt8]) {
        let contents: TraceFile.Contents
        do { contents = try TraceFile.parse(data) } catch {
            oneLine("\(error)", "TraceFile error")
            return
        }
        var perfetto = 0
        let trace = try? PerfettoTrace(header: contents.header) { perfetto += $0.count }
        var reports = Replay.reports(contents, interval: nil, observer: { trace?.consume($0) })
        try? trace?.finish(
            end: contents.trailer.end, lostEvents: contents.trailer.lostEvents,
            worstWaits: reports.last?.worstWaits ?? [])
        if let i = contents.header.interval, Replay.intervalCount(contents, interval: i) <= 16 {
            reports += Replay.reports(contents, interval: i)
        }
        require(!reports.isEmpty, "a replay without a report")
        var rules = gate.rules
        for i in reports.indices {
            reports[i].advice = Advisor.advise(reports[i], all: true)
            render(reports[i])
            for a in reports[i].advice ?? [] {
                guard let rule = try? RuleParser.rule(a.verify) else {
                    fatalError("invariant broken: advice \(a.rule) verifies with '\(a.verify)', which does not parse")
                }
                rules.append(rule)
            }
        }
        judge(reports, rules: rules)
    }

    /// Every renderer of a report; the JSON one must read back.
    static func render(_ r: Report) {
        _ = TextRenderer.render(r)
        _ = TextRenderer.renderAdvice(r)
        _ = CSVRenderer.rows(r, perThread: true, perProcess: true)
        _ = OpenMetricsRenderer.render(r)
        _ = HTMLRenderer.render(r)
        _ = try? JSONRenderer.renderLine(r)
        if let json = try? JSONRenderer.render(r) {
            require((try? JSONRenderer.decode(Data(json.utf8))) != nil, "a JSON report that does not read back")
        }
    }

    /// A gate over the reports, against themselves as the baseline.
    static func judge(_ reports: [Report], rules: [Rule]) {
        var gate = Self.gate
        gate.rules = rules
        gate.baseline = reports
        guard let result = try? gate.judge(reports) else { return }
        _ = VerdictRenderer.render(result)
        _ = VerdictRenderer.githubAnnotations(result)
        _ = JUnitRenderer.render(result, reports: reports)
    }

    static let gate = Gate(
        rules: [
            "runnable_wait.p99 > 200us", "off_core.preempted.total > 2%", "thief[comm=kworker*].stolen > 5ms",
            "migrations.count > 5", "on_core.p90 > 1ms",
        ].compactMap { try? RuleParser.rule($0) },
        regressions: (try? RuleParser.regressions("runnable_wait.p99=20%,off_core.total=-10%")) ?? [])

    /// `thief gate FILE`: read the reports, judge them against a few rules (and themselves as the baseline).
    static func report(_ data: [UInt8]) {
        let reports: [Report]
        do { reports = try ReportFile.reports(in: Data(data)) } catch {
            oneLine("\(error)", "ReportFile error")
            return
        }
        require(!reports.isEmpty, "no report and no error")
        // `thief gate --advice` and the renderers on a saved report.
        for r in reports.prefix(4) {
            var r = r
            r.advice = Advisor.advise(r, all: true)
            render(r)
        }
        var gate = Self.gate
        gate.baseline = reports
        for rules in [gate.rules, []] {
            gate.rules = rules
            guard let result = try? gate.judge(reports) else { continue }
            _ = VerdictRenderer.render(result)
            _ = VerdictRenderer.githubAnnotations(result)
            _ = JUnitRenderer.render(result, reports: reports)
        }
    }

    /// `--fail-if` and `--max-regression`: what parses prints and re-parses to itself.
    static func rule(_ text: String) {
        do {
            let rule = try RuleParser.rule(text)
            let again = try? RuleParser.rule(rule.description)
            require(
                again == rule,
                "'\(text)' parses to '\(rule)', which reads back as \(again.map { "'\($0)'" } ?? "an error")")
        } catch {
            oneLine(error.description, "RuleError")
            require(error.column >= 1 && error.column <= text.count + 1, "column \(error.column) outside '\(text)'")
        }
        do {
            let list = try RuleParser.regressions(text)
            require(!list.isEmpty, "an empty regression list")
            let printed = list.map(\.description).joined(separator: ",")
            let again = try? RuleParser.regressions(printed)
            require(again == list, "'\(text)' parses to '\(printed)', which reads back differently")
        } catch {
            oneLine(error.description, "RuleError")
        }
        // `thief watch --trigger`: the same language, plus `wait > D` and `… over D`.
        do {
            let watch = try WatchRule.parse(text)
            let again = try? WatchRule.parse(watch.description)
            require(again == watch, "trigger '\(text)' parses to '\(watch)', which reads back differently")
        } catch {
            oneLine(error.description, "RuleError")
            require(error.column >= 1 && error.column <= error.text.count + 1, "column \(error.column) outside")
        }
    }

    /// `-d`, `--interval`: a positive number of ns below 1e18, that reads back as ns.
    static func duration(_ text: String) {
        guard let ns = try? DurationParser.nanoseconds(text) else { return }
        require(ns >= 1 && ns < 1_000_000_000_000_000_000, "'\(text)' is \(ns) ns")
        require((try? DurationParser.nanoseconds("\(ns)ns")) == ns, "'\(ns)ns' does not read back")
    }

    /// `-t TID[,TID…]`: positive ids, one per distinct entry (`1,1` is [1]), that read back.
    static func tids(_ text: String) {
        guard let list = try? ThreadList.parse(text) else { return }
        require(!list.isEmpty && list.allSatisfy { $0 > 0 }, "'\(text)' is \(list)")
        let entries = text.split(separator: ",").compactMap { Int32($0.trimmingCharacters(in: .whitespaces)) }
        require(list.count == Set(entries).count && Set(list) == Set(entries), "'\(text)' is \(list)")
        require(
            (try? ThreadList.parse(list.map(String.init).joined(separator: ","))) == list, "\(list) does not read back")
    }

    /// CSV append: only an empty file or one whose first line is the header.
    static func csvHeader(_ data: [UInt8]) {
        let header = Array(CSVRenderer.header.utf8)
        require(CSVRenderer.canAppend(toFileStarting: header + data), "header + anything is refused")
        if CSVRenderer.canAppend(toFileStarting: data), !data.isEmpty {
            require(data.starts(with: header.dropLast()), "a file without the header is accepted")
            require(
                data.count == header.count - 1 || data[header.count - 1] == UInt8(ascii: "\n"),
                "a longer first line is accepted")
        }
    }

    /// /proc/PID/task/TID/stat.
    static func procStat(_ text: String) {
        guard let st = ProcFS.stat(text: text) else { return }
        require(text.contains(")"), "a stat without ')' parses")
        _ = st
    }

    /// /proc/PID/task/TID/sched and schedstat, split at the first NUL byte.
    static func procSched(_ data: [UInt8]) {
        let cut = data.firstIndex(of: 0) ?? data.count
        let sched = text(data[..<cut]), schedstat = text(data[min(cut + 1, data.count)...])
        _ = ProcFS.sched(text: sched, schedstat: schedstat)
    }

    /// /sys/devices/system/cpu/online: non-negative CPU numbers, never an empty list.
    static func onlineCPUs(_ text: String) {
        guard let cpus = RunHeader.onlineCPUs(text) else { return }
        require(!cpus.isEmpty && cpus.allSatisfy { $0 >= 0 }, "'\(text)' is \(cpus)")
    }

    /// /proc/kallsyms: at most one symbol a line; a name found is never empty.
    static func kallsyms(_ data: [UInt8]) {
        let k = KernelSymbols(text: data)
        require(k.count <= data.count / 4 + 1, "\(k.count) symbols from \(data.count) bytes")
        for probe: UInt64 in [0, 1, 0xffff_ffff_8100_0000, .max] + data.prefix(8).map({ UInt64($0) << 56 }) {
            if let name = k.name(of: probe) { require(!name.isEmpty, "an empty name at \(probe)") }
        }
    }
}
