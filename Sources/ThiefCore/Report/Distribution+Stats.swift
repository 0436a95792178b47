/// A distribution as the report shows it.
extension Distribution {
    func stats(threadTime: UInt64, byState: Report.ByState? = nil) -> Report.Stats {
        var hist: [Report.Bucket] = []
        if let last = buckets.lastIndex(where: { $0 > 0 }), let first = buckets.firstIndex(where: { $0 > 0 }) {
            for k in first...last {
                let b = Distribution.bounds(of: k)
                hist.append(Report.Bucket(lowNs: b.low, highNs: b.high, count: buckets[k]))
            }
        }
        return Report.Stats(
            totalNs: total, count: count,
            pct: threadTime == 0 ? 0 : Double(total) / Double(threadTime),
            minNs: count == 0 ? 0 : min, avgNs: mean,
            p50Ns: percentile(50), p90Ns: percentile(90), p99Ns: percentile(99), maxNs: max,
            hist: hist, byState: byState)
    }
}
