import Testing
import ThiefCore

@Suite("Distribution")
struct DistributionTests {
    @Test(
        "log2 bucket edges in microseconds",
        arguments: [
            (UInt64(0), 0), (1, 0), (999, 0),
            (1_000, 1), (1_999, 1),
            (2_000, 2), (3_999, 2),
            (4_000, 3), (7_999, 3),
            (8_000, 4),
            (1_000_000, 10),  // 1000 us: [512, 1024) us
            (1_024_000, 11),
        ])
    func bucketEdges(ns: UInt64, bucket: Int) {
        #expect(Distribution.bucket(of: ns) == bucket)
    }

    @Test("huge values clamp to the last bucket")
    func hugeValuesClamp() {
        let last = Distribution.bucketCount - 1
        #expect(Distribution.bucket(of: .max) == last)
        #expect(Distribution.bucket(of: 3_600_000_000_000) == 32)  // one hour: [2^31, 2^32) us
        #expect(Distribution.bucket(of: Distribution.bounds(of: last).high) == last)  // beyond the top edge
        #expect(Distribution.bucket(of: Distribution.bounds(of: last).high * 1_000) == last)
        let lastLow = Distribution.bounds(of: last).low
        #expect(Distribution.bucket(of: lastLow) == last)
        #expect(Distribution.bucket(of: lastLow - 1) == last - 1)
    }

    @Test("bounds of the first buckets")
    func boundsValues() {
        #expect(Distribution.bounds(of: 0) == (0, 1_000))
        #expect(Distribution.bounds(of: 1) == (1_000, 2_000))
        #expect(Distribution.bounds(of: 2) == (2_000, 4_000))
        #expect(Distribution.bounds(of: 3) == (4_000, 8_000))
        #expect(Distribution.bounds(of: 10) == (512_000, 1_024_000))
    }

    @Test("bounds and bucket agree for every bucket")
    func boundsMatchBucket() {
        for k in 0..<Distribution.bucketCount {
            let b = Distribution.bounds(of: k)
            #expect(b.low < b.high)
            #expect(Distribution.bucket(of: b.low) == k, "low edge of bucket \(k)")
            #expect(Distribution.bucket(of: b.high - 1) == k, "high edge of bucket \(k)")
            if k + 1 < Distribution.bucketCount {
                #expect(Distribution.bounds(of: k + 1).low == b.high, "buckets \(k), \(k + 1) are contiguous")
            }
        }
    }

    @Test("an empty distribution")
    func empty() {
        let d = Distribution()
        #expect(d.total == 0)
        #expect(d.count == 0)
        #expect(d.max == 0)
        #expect(d.mean == 0)
        #expect(d.percentile(50) == 0)
        #expect(d.buckets.count == Distribution.bucketCount)
        #expect(d.buckets.allSatisfy { $0 == 0 })
    }

    @Test("total, count, min, max, mean and buckets")
    func recordStats() {
        var d = Distribution()
        for v: UInt64 in [500, 1_500, 2_500, 3_500, 10_000_000] { d.record(v) }
        #expect(d.total == 10_008_000)
        #expect(d.count == 5)
        #expect(d.min == 500)
        #expect(d.max == 10_000_000)
        #expect(d.mean == 2_001_600)
        #expect(d.buckets[0] == 1)
        #expect(d.buckets[1] == 1)
        #expect(d.buckets[2] == 2)
        #expect(d.buckets[Distribution.bucket(of: 10_000_000)] == 1)
        #expect(d.buckets.reduce(0, +) == 5)
    }

    @Test("percentiles of small exact values")
    func percentilesExact() {
        var d = Distribution()
        for v: UInt64 in 1...100 { d.record(v) }  // below 2048 the HDR histogram is exact
        #expect(d.percentile(50) == 50)
        #expect(d.percentile(90) == 90)
        #expect(d.percentile(99) == 99)
        #expect(d.percentile(100) == 100)
        #expect(d.percentile(0) == 1)
    }

    @Test("percentiles are clamped to the exact min and max")
    func percentilesClamped() {
        // 1_000_000 ns lies in an HDR bucket of width 512: its highest equivalent
        // value is 1_000_447. With one value, every percentile is that value.
        var one = Distribution()
        one.record(1_000_000)
        #expect(one.percentile(0) == 1_000_000)
        #expect(one.percentile(50) == 1_000_000)
        #expect(one.percentile(99) == 1_000_000)
        #expect(one.percentile(100) == 1_000_000)

        // A zero duration is recorded as 1 in the HDR histogram: clamp back to 0.
        var zero = Distribution()
        zero.record(0)
        #expect(zero.min == 0)
        #expect(zero.percentile(50) == 0)
        #expect(zero.percentile(99) == 0)

        // Within [min, max] for a spread, and monotonic.
        var d = Distribution()
        for v: UInt64 in [3_000_001, 5_000_000, 7_777_777, 9_999_999] { d.record(v) }
        var last: UInt64 = 0
        for p in [0.0, 10, 25, 50, 75, 90, 99, 99.9, 100] {
            let v = d.percentile(p)
            #expect(v >= d.min && v <= d.max, "p\(p) = \(v)")
            #expect(v >= last)
            last = v
        }
        #expect(d.percentile(100) == 9_999_999)
    }

    @Test("p50 of a large value reports HDR's highest equivalent value (3 significant digits)")
    func percentileResolution() {
        var d = Distribution()
        d.record(1_000_000)
        d.record(2_000_000)
        // p50 is the first value; HDR reports the top of its 512-ns bucket.
        #expect(d.percentile(50) == 1_000_447)
        #expect(d.percentile(99) == 2_000_000)
    }

    @Test("add merges totals, extremes, buckets and percentiles")
    func add() {
        var a = Distribution(), b = Distribution(), both = Distribution()
        for v: UInt64 in [2_000, 4_000, 6_000] {
            a.record(v)
            both.record(v)
        }
        for v: UInt64 in [100, 9_000_000] {
            b.record(v)
            both.record(v)
        }
        var merged = a
        merged.add(b)
        #expect(merged.total == 9_012_100)
        #expect(merged.count == 5)
        #expect(merged.min == 100)
        #expect(merged.max == 9_000_000)
        #expect(merged.buckets == both.buckets)
        for p in [25.0, 50, 90, 99] { #expect(merged.percentile(p) == both.percentile(p)) }
        // `a` itself is unchanged (value semantics).
        #expect(a.count == 3)
        #expect(a.min == 2_000)
    }

    @Test("adding an empty distribution changes nothing; adding into an empty one copies")
    func addEmpty() {
        var a = Distribution()
        a.record(5_000)
        var x = a
        x.add(Distribution())
        #expect(x.count == 1 && x.total == 5_000 && x.min == 5_000 && x.max == 5_000)

        var e = Distribution()
        e.add(a)
        #expect(e.count == 1 && e.total == 5_000 && e.min == 5_000 && e.max == 5_000)
        #expect(e.percentile(50) == 5_000)
        #expect(e.buckets == a.buckets)
    }
}
