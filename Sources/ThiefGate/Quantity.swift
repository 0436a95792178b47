/// A number with its unit, as written in the rule.
public struct Quantity: Hashable, Sendable, CustomStringConvertible {
    public enum Unit: String, CaseIterable, Sendable {
        case ns, us, ms, s
        case percent = "%"
        case none = ""

        /// Canonical value of 1 of this unit (ns for times, a 0...1 share for %).
        var factor: Double {
            switch self {
            case .ns, .none: return 1
            case .us: return 1e3
            case .ms: return 1e6
            case .s: return 1e9
            case .percent: return 0.01
            }
        }

        var kind: Kind {
            switch self {
            case .ns, .us, .ms, .s: return .duration
            case .percent: return .share
            case .none: return .count
            }
        }
    }

    /// What a number measures: nanoseconds, a share of thread time (0...1), or a count.
    public enum Kind: String, Sendable { case duration, share, count }

    public var number: Double
    public var unit: Unit

    public init(_ number: Double, _ unit: Unit) {
        self.number = number
        self.unit = unit
    }

    /// ns for times, 0...1 for %, the number itself otherwise. Percent is
    /// divided (not multiplied by 0.01) so `5%` is exactly the double 0.05.
    public var canonical: Double { unit == .percent ? number / 100 : number * unit.factor }

    /// Integral values print without a fraction; others in Swift's shortest
    /// round-trip form (which the parser reads back exactly, exponent included).
    public var description: String {
        let text = number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : "\(number)"
        return text + unit.rawValue
    }
}
