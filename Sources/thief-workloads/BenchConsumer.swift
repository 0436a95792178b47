import ArgumentParser
import Foundation
import ThiefCore

/// The consumer's drain rate without the kernel: the records of a two-thread
/// pipe ping-pong (what the targeted benchmark makes the tracer send: a
/// slice, an off-core interval and a runnable wait per switch, one
/// ring-buffer sample per switch) folded through the same Session.fold the
/// live consumer calls. Used by scripts/bench.sh; not a test.
struct BenchConsumer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-consumer",
        abstract: "Measure how fast the consumer folds records (used by scripts/bench.sh).",
        shouldDisplay: false
    )

    @Option(help: "Records to fold.") var records: Int = 12_000_000
    @Option(help: "Interval length (0: one window).") var intervalMs: Int = 0

    func run() throws {
        // One sample per switch: thread A goes off-core (slice ends) while B
        // comes on (its off-core interval and wait end). 3 records, 192 bytes.
        let switches = max(1, records / 3)
        let start: UInt64 = 1_000_000_000
        var sample = [Record(kind: .slice, ts: 0, cpu: 1, aux: 1, tid: 0, tgid: 100),
                      Record(kind: .offCore, ts: 0, aux: 1, tid: 0, tgid: 100),
                      Record(kind: .wait, ts: 0, cpu: 1, tid: 0, tgid: 100)]
        let session = Session(runStart: start, interval: intervalMs > 0 ? UInt64(intervalMs) * 1_000_000 : nil)
        session.addThread(tid: 101, tgid: 100, comm: "a", state: .preempted)
        session.addThread(tid: 102, tgid: 100, comm: "b", state: .preempted)
        let t0 = cpuNow()
        var ts = start
        for i in 0..<switches {
            let out: UInt32 = i & 1 == 0 ? 101 : 102, inn: UInt32 = out == 101 ? 102 : 101
            let slice = UInt64(2_000 + (i % 7) * 300)
            ts += slice
            sample[0].ts = ts; sample[0].start_ts = ts - slice; sample[0].dur = slice - 40; sample[0].tid = out
            sample[1].ts = ts; sample[1].start_ts = ts - slice - 500; sample[1].tid = inn
            sample[2].ts = ts; sample[2].start_ts = ts - 900; sample[2].tid = inn
            sample.withUnsafeBytes { session.fold(bytes: $0.baseAddress!, count: $0.count) }
        }
        let cpu = cpuNow() - t0
        let (last, _) = session.finish(at: ts, open: [])
        let folded = switches * 3
        let rate = Double(folded) / (Double(cpu) / 1e9)
        print(String(format: "consumer: %d records in %.3f s of CPU = %.2f M records/s (slices %llu)",
                     folded, Double(cpu) / 1e9, rate / 1e6, last.onCore.count))
    }
}

private func cpuNow() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}
