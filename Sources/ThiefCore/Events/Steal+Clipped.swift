extension Steal {
    /// Its time from `runStart` on: a steal that began before tracing counts
    /// only its part inside the run. Clipped at the run's start only: in
    /// interval mode a steal counts whole in the interval in which it ends.
    public func duration(from runStart: UInt64) -> UInt64 {
        guard start < runStart else { return duration }
        return end > runStart ? min(end - runStart, duration) : 0
    }
}
