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
        let session = Session(runStart: start, interval: intervalMs > 0 ? UInt64(intervalMs) * 1_000_000 : nil)
        session.addThread(tid: 101, tgid: 100, comm: "a", state: .preempted)
        session.addThread(tid: 102, tgid: 100, comm: "b", state: .preempted)
        var sample = [Record](repeating: Record(), count: 3)
        let t0 = cpuNow()
        var ts = start
        for i in 0..<switches {
            let out: UInt32 = i & 1 == 0 ? 101 : 102, inn: UInt32 = out == 101 ? 102 : 101
            let slice = UInt64(2_000 + (i % 7) * 300)
            ts += slice
            sample[0] = Record(
                .slice(
                    SliceEnded(
                        tid: out, tgid: 100, cpu: 1, start: ts - slice, end: ts, ran: slice - 40, next: .sleeping)))
            sample[1] = Record(
                .offCore(OffCoreEnded(tid: inn, tgid: 100, cpu: 0, start: ts - slice - 500, end: ts, state: .sleeping)))
            sample[2] = Record(.wait(WaitEnded(tid: inn, tgid: 100, cpu: 1, queueCPU: 1, start: ts - 900, end: ts)))
            sample.withUnsafeBytes { session.fold(bytes: $0.baseAddress!, count: $0.count) }
        }
        let cpu = cpuNow() - t0
        let (last, _) = session.finish(at: ts, open: [])
        let folded = switches * 3
        let rate = Double(folded) / (Double(cpu) / 1e9)
        print(
            String(
                format: "consumer: %d records in %.3f s of CPU = %.2f M records/s (slices %llu)",
                folded, Double(cpu) / 1e9, rate / 1e6, last.time.onCore.count))
    }
}

private func cpuNow() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}
