import ThiefCore

/// Character-indexed reader with the error constructor.
struct RuleScanner {
    let text: String
    let chars: [Character]
    var i = 0

    init(_ text: String) {
        self.text = text
        chars = Array(text)
    }

    var peek: Character? { i < chars.count ? chars[i] : nil }

    func error(_ at: Int, _ message: String, _ hint: String? = nil) -> RuleError {
        RuleError(text: text, column: at + 1, message: message, hint: hint)
    }

    mutating func skipSpaces() { while let c = peek, c.isWhitespace { i += 1 } }

    /// `[A-Za-z0-9_]+`, or nil.
    mutating func word() -> String? {
        let start = i
        while let c = peek, c.isASCII, c.isLetter || c.isNumber || c == "_" { i += 1 }
        return i > start ? String(chars[start..<i]) : nil
    }

    static let metricList =
        "on_core, off_core[.preempted|.sleeping|.blocked|.other], runnable_wait, migrations, "
        + "runnable_wait[.tasks|.targets|.throttled|.idle|.steal|.other], "
        + "irqs, softirqs, system_vectors, lost_events, missed_switch_events, thief[comm=GLOB|tgid=N|pid=N], "
        + "waker[comm=GLOB|tgid=N|pid=N], cpu[N]"

    mutating func metric() throws(RuleError) -> Metric {
        let start = i
        guard let name = word() else {
            let found = peek.map { "found '\($0)'" } ?? "the rule is empty"
            throw error(start, "expected a metric, \(found)", "metrics: \(RuleScanner.metricList)")
        }
        var subject: Subject
        switch name {
        case "on_core": subject = .onCore
        case "off_core": subject = .offCore
        case "runnable_wait": subject = .runnableWait
        case "migrations": subject = .migrations
        case "irqs": subject = .irqs
        case "softirqs": subject = .softirqs
        case "system_vectors": subject = .systemVectors
        case "lost_events": subject = .lostEvents
        case "missed_switch_events": subject = .missedSwitchEvents
        case "thief": subject = .thief(try selector(after: "thief"))
        case "waker": subject = .waker(try selector(after: "waker"))
        case "cpu": subject = .cpu(try cpuNumber())
        case "wakers":
            throw error(
                start, "'wakers' is a list; select wakers with waker[…]", "waker[comm=nginx*].p99, waker[pid=123].count"
            )
        case "thieves":
            throw error(
                start, "'thieves' is a list; select thieves with thief[…]",
                "thief[comm=kworker*].stolen, thief[tgid=123].count")
        default:
            let guess = closest(name, Subject.names).map { "did you mean '\($0)'? " } ?? ""
            throw error(start, "unknown metric '\(name)'", guess + "metrics: \(RuleScanner.metricList)")
        }
        var field: Field?
        while peek == "." {
            let dot = i
            i += 1
            let at = i
            guard let part = word() else { throw error(at, "expected a field after '.'", fieldHint(subject)) }
            if case .offCore = subject, field == nil, let state = OffState(name: part) {
                subject = .offCoreState(state)
                continue
            }
            if case .runnableWait = subject, field == nil, let cause = WaitCause(rawValue: part) {
                subject = .runnableWaitCause(cause)
                continue
            }
            guard field == nil else {
                throw error(
                    dot, "unexpected '.\(part)' after '\(Metric(subject, field))'",
                    "one field per metric: \(Metric(subject, field)) > …")
            }
            guard let f = Field(rawValue: part), subject.fields.contains(f) else {
                var names = subject.fields.map(\.rawValue)
                if case .offCore = subject { names += OffState.allCases.map(\.name) }
                if case .runnableWait = subject { names += WaitCause.allCases.map(\.rawValue) }
                let guess = closest(part, names).map { "did you mean '\($0)'? " } ?? ""
                throw error(at, "'\(subject)' has no field '\(part)'", guess + fieldHint(subject))
            }
            field = f
        }
        return Metric(subject, field)
    }

    func fieldHint(_ subject: Subject) -> String {
        if subject.fields.isEmpty { return "'\(subject)' is a plain count: \(subject) > 0" }
        var hint = "fields of \(subject): " + subject.fields.map(\.rawValue).joined(separator: ", ")
        if case .offCore = subject { hint += "; states: " + OffState.allCases.map(\.name).joined(separator: ", ") }
        if case .runnableWait = subject {
            hint += "; causes: " + WaitCause.allCases.map(\.rawValue).joined(separator: ", ")
        }
        return hint
    }

    /// `[comm=GLOB]`, `[tgid=N]` or `[pid=N]`, after `thief` or `waker`. A
    /// comm may hold balanced brackets: `waker[comm=[hardirq]]`.
    mutating func selector(after name: String) throws(RuleError) -> ThiefSelector {
        let open = i
        let hint = "\(name)[comm=kworker*], \(name)[tgid=123] or \(name)[pid=456]"
        guard peek == "[" else { throw error(i, "expected '[' after '\(name)'", hint) }
        i += 1
        let keyAt = i
        guard let key = word(), ["comm", "tgid", "pid"].contains(key) else {
            throw error(keyAt, "expected comm=, tgid= or pid= inside \(name)[…]", hint)
        }
        guard peek == "=" else { throw error(i, "expected '=' after '\(key)'", hint) }
        i += 1
        let valueAt = i
        var depth = 0
        while let c = peek, c != "]" || depth > 0 {
            if c == "[" { depth += 1 } else if c == "]" { depth -= 1 }
            i += 1
        }
        guard peek == "]" else { throw error(open, "'[' is not closed", hint) }
        let value = String(chars[valueAt..<i])
        i += 1
        guard !value.isEmpty else { throw error(valueAt, "empty \(key) in \(name)[…]", hint) }
        if key == "comm" { return .comm(value) }
        guard value.allSatisfy({ $0.isASCII && $0.isNumber }), let n = UInt32(value) else {
            throw error(valueAt, "\(key) must be a number, found '\(value)'", hint)
        }
        return key == "tgid" ? .tgid(n) : .pid(n)
    }

    /// `[N]` after `cpu`.
    mutating func cpuNumber() throws(RuleError) -> Int {
        let hint = "cpu[0].on_core, cpu[3].runnable_wait"
        guard peek == "[" else { throw error(i, "expected '[' after 'cpu'", hint) }
        i += 1
        let at = i
        while let c = peek, c.isASCII, c.isNumber { i += 1 }
        guard i - at <= 5, let n = Int(String(chars[at..<i])), n <= Topology.maxCPU else {
            throw error(at, "expected a CPU number inside cpu[…]", hint)
        }
        guard peek == "]" else { throw error(i, "expected ']' after the CPU number", hint) }
        i += 1
        return n
    }

    mutating func comparison() throws(RuleError) -> Comparison {
        let start = i
        while let c = peek, "<>=!".contains(c) { i += 1 }
        let text = String(chars[start..<i])
        if let op = Comparison(rawValue: text) { return op }
        let hint = "operators: >, >=, <, <=; the rule states the condition that fails the gate"
        if text.isEmpty {
            let found = peek.map { "found '\($0)'" } ?? "the rule ends"
            throw error(start, "expected an operator, \(found)", hint)
        }
        throw error(start, "unknown operator '\(text)'", hint)
    }

    /// `NUMBER [UNIT]`; returns the quantity and where its unit starts.
    mutating func quantity() throws(RuleError) -> (Quantity, Int) {
        let start = i
        let hint = "a value is a number with a unit: 200us, 1.5ms, 5%, or a plain count: 3"
        if peek == "-" { throw error(start, "a value cannot be negative", hint) }
        func digits() -> Int {
            let s = i
            while let c = peek, c.isASCII, c.isNumber { i += 1 }
            return i - s
        }
        guard digits() > 0 else {
            let found = peek.map { "found '\($0)'" } ?? "the rule ends"
            throw error(start, "expected a number, \(found)", hint)
        }
        if peek == "." {
            i += 1
            guard digits() > 0 else { throw error(i, "expected digits after '.'", hint) }
        }
        if let e = peek, e == "e" || e == "E" {
            let at = i
            i += 1
            if let c = peek, c == "+" || c == "-" { i += 1 }
            guard digits() > 0 else { throw error(at, "expected an exponent after 'e'", hint) }
        }
        guard let number = Double(String(chars[start..<i])), number.isFinite else {
            throw error(start, "number out of range", hint)
        }
        skipSpaces()
        let unitAt = i
        if peek == "%" {
            i += 1
            return (Quantity(number, .percent), unitAt)
        }
        while let c = peek, c.isLetter { i += 1 }
        let word = String(chars[unitAt..<i])
        switch word {
        case "": return (Quantity(number, .none), unitAt)
        case "µs", "μs": return (Quantity(number, .us), unitAt)
        default:
            guard let unit = Quantity.Unit(rawValue: word), unit != .percent else {
                throw error(unitAt, "unknown unit '\(word)'", "units: ns, us, ms, s, %, or none for a count")
            }
            return (Quantity(number, unit), unitAt)
        }
    }
}

/// The candidate nearest to `word` by edit distance, if it is close (≤ 2 edits, or a third of its length).
func closest(_ word: String, _ candidates: [String]) -> String? {
    func distance(_ a: [Character], _ b: [Character]) -> Int {
        var row = Array(0...b.count)
        for (i, ca) in a.enumerated() {
            var prev = row[0]
            row[0] = i + 1
            for (j, cb) in b.enumerated() {
                let cur = row[j + 1]
                row[j + 1] = Swift.min(row[j + 1] + 1, row[j] + 1, prev + (ca == cb ? 0 : 1))
                prev = cur
            }
        }
        return row[b.count]
    }
    let w = Array(word.lowercased())
    let scored = candidates.map { ($0, distance(w, Array($0))) }
    guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
    return best.1 <= Swift.max(2, w.count / 3) ? best.0 : nil
}
