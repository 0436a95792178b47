/// On-core slices and off-core intervals (by state at switch-out), and the
/// CPUs the target ran on: report sections 2 and 3.
public struct TimeAccounting: Analysis {
    public private(set) var onCore = Distribution()
    public private(set) var offCore = Distribution()
    public private(set) var byState = [Distribution](repeating: Distribution(), count: OffState.allCases.count)
    private var cpuMask: [Bool] = []

    public init() {}

    public struct Section: Sendable {
        public var onCore: Report.Stats
        public var offCore: Report.Stats
        public var cpusSeen: [Int]
    }

    @inline(__always)
    public mutating func consume(_ e: Episode, portion: UInt64, length: UInt64?) {
        switch e.kind {
        case .onCore:
            if let length {
                onCore.record(length: length, portion: portion)
                see(cpu: e.cpu)
            } else {
                onCore.addPortion(portion)
            }
        case .offCore(let state):
            if let length {
                offCore.record(length: length, portion: portion)
                byState[state.rawValue].record(length: length, portion: portion)
            } else {
                offCore.addPortion(portion)
                byState[state.rawValue].addPortion(portion)
            }
        case .wait:
            break
        }
    }

    private mutating func see(cpu: UInt16) {
        let c = Int(cpu)
        if c >= cpuMask.count { cpuMask += [Bool](repeating: false, count: c + 1 - cpuMask.count) }
        cpuMask[c] = true
    }

    public var cpusSeen: [Int] { cpuMask.indices.filter { cpuMask[$0] } }

    public func section(_ context: SectionContext) -> Section {
        var states = Report.ByState()
        for s in OffState.allCases { states[s] = byState[s.rawValue].stats(threadTime: context.threadTime) }
        return Section(
            onCore: onCore.stats(threadTime: context.threadTime),
            offCore: offCore.stats(threadTime: context.threadTime, byState: states),
            cpusSeen: cpusSeen)
    }
}
