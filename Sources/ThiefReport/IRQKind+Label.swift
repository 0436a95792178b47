import ThiefCore

extension IRQKind {
    /// The TYPE column of the text report and the `type` label of OpenMetrics.
    var label: String {
        switch self {
        case .hard: "hardirq"
        case .soft: "softirq"
        case .systemVector: "sysvec"
        }
    }
}
