extension Report {
    /// Off-core time by the state the thread left the CPU in. Encodes as the
    /// JSON object `{"preempted": {…}, "sleeping": {…}, …}` of schema 1.
    public struct ByState: Codable, Sendable, Equatable {
        private var stats: [OffState: Stats] = [:]

        public init() {}

        public subscript(state: OffState) -> Stats? {
            get { stats[state] }
            set { stats[state] = newValue }
        }

        /// The states present, in their order.
        public var states: [OffState] { OffState.allCases.filter { stats[$0] != nil } }

        /// Their blocks, in the same order.
        public var values: [Stats] { states.compactMap { stats[$0] } }

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: Key.self)
            for key in c.allKeys {
                // A state this thief does not know (a newer report) is left out.
                guard let state = OffState(name: key.stringValue) else { continue }
                stats[state] = try c.decode(Stats.self, forKey: key)
            }
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: Key.self)
            for state in states { try c.encode(stats[state], forKey: Key(stringValue: state.name)) }
        }
    }
}
