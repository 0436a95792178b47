import Testing
import ThiefCore
import ThiefGate

/// parse(print(rule)) == rule over generated rules, and no input makes the parser trap.
@Suite("Gate rule properties")
struct GateRulePropertyTests {
    static let subjects: [Subject] =
        [
            .onCore, .offCore, .runnableWait, .migrations, .irqs, .softirqs, .systemVectors, .lostEvents,
            .missedSwitchEvents,
        ] + OffState.allCases.map { .offCoreState($0) }

    static func selector(_ g: inout SeededGenerator) -> ThiefSelector {
        switch Int.random(in: 0..<3, using: &g) {
        case 0:
            let alphabet = Array("abckworker/0:1H-_.*? XYZ9éß")
            let n = Int.random(in: 1...20, using: &g)
            return .comm(String((0..<n).map { _ in alphabet.randomElement(using: &g) ?? "a" }))
        case 1: return .tgid(UInt32.random(in: 0...UInt32.max, using: &g))
        default: return .pid(UInt32.random(in: 0...UInt32.max, using: &g))
        }
    }

    /// A number in one of the shapes users write and the printer produces.
    static func number(_ g: inout SeededGenerator) -> Double {
        switch Int.random(in: 0..<5, using: &g) {
        case 0: return Double(Int.random(in: 0...1_000_000, using: &g))
        case 1:
            return Double(Int.random(in: 0...100_000, using: &g))
                / [10, 100, 1000, 7][Int.random(in: 0..<4, using: &g)]
        case 2: return Double.random(in: 0..<1, using: &g) * 1e-6
        case 3: return Double.random(in: 1e15..<1e20, using: &g)
        default: return Double.random(in: 0..<1000, using: &g)
        }
    }

    /// A well-typed rule: the unit fits the field the rule reads.
    static func rule(_ g: inout SeededGenerator) -> Rule {
        let subject =
            Int.random(in: 0..<6, using: &g) == 0
            ? .thief(selector(&g)) : (subjects.randomElement(using: &g) ?? .onCore)
        let field: Field? = Bool.random(using: &g) ? subject.fields.randomElement(using: &g) : nil
        let effective = field ?? subject.defaultField
        var units: [Quantity.Unit]
        switch effective.kind {
        case .duration:
            units = [.ns, .us, .ms, .s]
            if effective.isTimeSum || (field == nil && subject.fields.contains(.pct)) { units.append(.percent) }
        case .share: units = [.percent]
        case .count: units = [.none]
        }
        let op = Comparison.allCases.randomElement(using: &g) ?? .greater
        return Rule(
            metric: Metric(subject, field), op: op, value: Quantity(number(&g), units.randomElement(using: &g) ?? .none)
        )
    }

    @Test("parse(print(rule)) == rule for 5000 generated rules")
    func roundTrip() throws {
        var g = SeededGenerator(seed: 0x7419_EF)
        for _ in 0..<5000 {
            let r = Self.rule(&g)
            let text = r.description
            let back = try #require(
                try? RuleParser.rule(text), "'\(text)' does not parse: \(ruleError(text).map { "\($0)" } ?? "")")
            #expect(back == r, "'\(text)'")
            #expect(back.description == text)
        }
    }

    @Test("--max-regression lists round-trip")
    func regressionRoundTrip() throws {
        var g = SeededGenerator(seed: 42)
        for _ in 0..<500 {
            let list = (0..<Int.random(in: 1...4, using: &g)).map { _ in
                Regression(
                    metric: Self.rule(&g).metric, allowedPercent: Self.number(&g), decrease: Bool.random(using: &g))
            }
            let text = list.map(\.description).joined(separator: ",")
            #expect(try RuleParser.regressions(text) == list, "'\(text)'")
        }
    }

    @Test("random and mutated input never traps; every error is one line with a column inside the text")
    func fuzz() {
        var g = SeededGenerator(seed: 7)
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz_.[]=*<>!%-+eE0123456789 µs\t\n\u{0}é,")
        for i in 0..<20_000 {
            var text: String
            if i % 2 == 0 {
                text = String(
                    (0..<Int.random(in: 0...30, using: &g)).map { _ in alphabet.randomElement(using: &g) ?? "a" })
            } else {
                var chars = Array(Self.rule(&g).description)
                for _ in 0..<Int.random(in: 1...3, using: &g) where !chars.isEmpty {
                    let at = Int.random(in: 0..<chars.count, using: &g)
                    switch Int.random(in: 0..<3, using: &g) {
                    case 0: chars.remove(at: at)
                    case 1: chars.insert(alphabet.randomElement(using: &g) ?? "x", at: at)
                    default: chars[at] = alphabet.randomElement(using: &g) ?? "x"
                    }
                }
                text = String(chars)
            }
            if let e = ruleError(text) {
                #expect(e.column >= 1 && e.column <= text.count + 1, "'\(text)': \(e)")
                #expect(!e.description.contains("\n") && !e.description.contains("\u{0}"))
            } else {
                // Whatever parses prints as a rule that parses to itself.
                let r = try? RuleParser.rule(text)
                #expect(r != nil)
                if let r { #expect((try? RuleParser.rule(r.description)) == r, "'\(text)'") }
            }
            _ = regressionError(text)
        }
    }
}
