import ThiefCore

/// With --interval: reports each interval as the session closes it. An
/// error from the report's consumer is kept for the run loop to throw.
final class IntervalReporter {
    private(set) var error: Error?

    func install(
        on session: Session, _ tb: OpaquePointer, header: RunHeader, box: SessionBox, tracer: Tracer,
        namer: CulpritNamer, quota: CPUQuotaWatch
    ) {
        session.onInterval = { [weak self, weak tracer] agg, idx in
            // Once the output failed, the intervals that close in the same
            // tick are not reported (each would print its error again).
            guard let self, self.error == nil else { return }
            let counters = BPFMaps.countersSoFar(tb)
            var meta = header.meta(
                window: agg, trailer: nil, intervalIndex: idx, interval: tracer?.options.interval,
                lostSoFar: counters.lost, missedSoFar: counters.healed)
            meta.culprits = namer.name(agg, cpuBound: header.cpuBound)
            quota.look(agg)
            meta.cpuQuota = quota.quota
            box.recorder?.noteInterval(idx, lost: counters.lost, missed: counters.healed)
            do { try tracer?.onInterval?(agg.report(meta)) } catch { self.error = self.error ?? error }
        }
    }
}
