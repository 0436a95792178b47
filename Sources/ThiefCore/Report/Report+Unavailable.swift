extension Report {
    /// Lists what the kernel could not measure in `tracer.unavailable` and
    /// marks it null wherever the report shows it.
    public mutating func markUnavailable(_ gone: [Unavailable]) {
        tracer.unavailable = gone
        guard !gone.isEmpty else { return }
        runnableWait.byCause?.mark(gone)
        for i in target.threads.indices { target.threads[i].byCause?.mark(gone) }
        for i in (target.processes ?? []).indices { target.processes?[i].byCause?.mark(gone) }
        for i in (worstWaits ?? []).indices { worstWaits?[i].causes.mark(gone) }
    }

    /// Is this number one the kernel could not give?
    public func isUnavailable(_ u: Unavailable) -> Bool { tracer.unavailable?.contains(u) == true }
}
