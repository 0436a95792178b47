extension Report {
    /// A workqueue function a kworker ran inside targets' waits
    /// (`thieves[].work[]`): its kernel symbol (from /proc/kallsyms; hex if
    /// unknown), how many items ran it, and their time inside the waits.
    public struct Work: Codable, Sendable, Equatable {
        public var function: String
        public var count: UInt64
        public var totalNs: UInt64

        public init(function: String, count: UInt64, totalNs: UInt64) {
            self.function = function
            self.count = count
            self.totalNs = totalNs
        }

        enum CodingKeys: String, CodingKey { case function, count, totalNs = "total_ns" }
    }
}
