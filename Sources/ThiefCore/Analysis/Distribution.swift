import Histogram

/// Durations of one kind of episode: exact total/count/min/max, an HDR
/// histogram for percentiles (3 significant digits) and log2 buckets in
/// microseconds for the cycle_thief-style bar chart. Recording never allocates.
public struct Distribution: Sendable {
    public private(set) var total: UInt64 = 0
    public private(set) var count: UInt64 = 0
    public private(set) var min: UInt64 = .max
    public private(set) var max: UInt64 = 0
    /// buckets[0]: < 1 µs; buckets[k]: [2^(k-1), 2^k) µs.
    public private(set) var buckets = [UInt64](repeating: 0, count: Distribution.bucketCount)
    /// Made at the first episode: an empty window (an idle interval) costs nothing.
    private var hdr: Histogram<UInt64>?
    /// One significant digit (values within ~6 %) instead of three, for
    /// tables with an entry per task.
    private var compact = false
    /// hdr exists.
    private var made = false

    /// Sized to the largest episode so far (auto-resizing, from 1 ns, the
    /// same buckets as one sized for the hour up front, so the same
    /// percentiles): made for the hour, a three-digit histogram was 256 KB of
    /// counts, all written at once, and a run has seven of them (on-core,
    /// off-core, each state, runnable wait): 1.8 MB of a 1 s run's 20 MiB.
    /// Episodes of up to 10 ms need 120 KB.
    private static func makeHistogram(compact: Bool) -> Histogram<UInt64> {
        Histogram<UInt64>(numberOfSignificantValueDigits: compact ? .one : .three)
    }

    public static let bucketCount = 42

    public init() {}

    /// `compact`: percentiles to one significant digit, for per-task tables.
    public init(compact: Bool) { self.compact = compact }

    public static func bucket(of ns: UInt64) -> Int {
        let us = ns / 1000
        if us == 0 { return 0 }
        return Swift.min(bucketCount - 1, 64 - us.leadingZeroBitCount)
    }

    /// The range [low, high) of bucket k, in ns.
    public static func bounds(of k: Int) -> (low: UInt64, high: UInt64) {
        if k == 0 { return (0, 1000) }
        return (UInt64(1) << (k - 1) * 1000, UInt64(1) << k * 1000)
    }

    public mutating func record(_ ns: UInt64) {
        record(length: ns, portion: ns)
    }

    /// An episode that ended: its full `length` goes to the count, histogram
    /// and percentiles; `portion` (the part inside this window) to the total.
    public mutating func record(length ns: UInt64, portion: UInt64) {
        total &+= portion
        count += 1
        if ns < min { min = ns }
        if ns > max { max = ns }
        buckets[Distribution.bucket(of: ns)] += 1
        // A flag, not `hdr == nil`: comparing an Optional of a generic struct
        // from another module copies it (a retain and a release of its
        // counts, per record: 5% of the live consumer's CPU).
        if !made {
            hdr = Distribution.makeHistogram(compact: compact)
            made = true
        }
        _ = hdr!.record(Swift.min(Swift.max(ns, 1), 3_600_000_000_000))
    }

    /// Time of an episode still open at the end of this window: total only.
    public mutating func addPortion(_ ns: UInt64) {
        total &+= ns
    }

    public mutating func add(_ other: Distribution) {
        guard other.count > 0 else { return }
        total &+= other.total
        count += other.count
        min = Swift.min(min, other.min)
        max = Swift.max(max, other.max)
        for i in buckets.indices { buckets[i] += other.buckets[i] }
        if let o = other.hdr {
            if made { hdr!.add(o) } else { (hdr, made) = (o, true) }
        }
    }

    /// Percentile (0...100), clamped to the exact min and max.
    public func percentile(_ p: Double) -> UInt64 {
        guard count > 0 else { return 0 }
        guard let hdr else { return 0 }
        return Swift.min(Swift.max(hdr.valueAtPercentile(p), min), max)
    }

    public var mean: UInt64 { count == 0 ? 0 : total / count }
}
