/// The comparison of a rule. The rule fails when `observed OP limit` holds.
public enum Comparison: String, CaseIterable, Sendable {
    case greater = ">", greaterOrEqual = ">=", less = "<", lessOrEqual = "<="

    /// `observed OP limit`, with values within a relative 1e-12 taken as equal,
    /// so that a limit written as `0.1ms` or `5%` meets the same measured value.
    public func holds(_ observed: Double, _ limit: Double) -> Bool {
        let equal = observed == limit || abs(observed - limit) <= 1e-12 * max(abs(observed), abs(limit))
        switch self {
        case .greater: return observed > limit && !equal
        case .greaterOrEqual: return observed > limit || equal
        case .less: return observed < limit && !equal
        case .lessOrEqual: return observed < limit || equal
        }
    }
}
