extension Window {
    /// With one window (the consumer's hot path): folds an event that ends
    /// an episode; false for any other event. The thread's account is looked
    /// up once: it keeps the timeline's clock difference for the thread
    /// (`Threads.Account.ahead`) and takes the episode's time. `runStart`:
    /// the run's (the timeline's).
    @inline(__always)
    func foldEpisode(_ event: Event, runStart: UInt64) -> Bool {
        guard let x = Timeline.Ending(event) else { return false }
        if let i = threads.accounts.index(forKey: x.episode.tid) {
            let e = Timeline.measure(x, runStart: runStart, ahead: &threads.accounts.values[i].ahead)
            if e.counts { consume(e.episode, portion: e.rest, length: e.length, account: i) }
            return true
        }
        // First sight of the thread: its first episode that counts makes its account.
        var ahead: Int64 = 0
        let e = Timeline.measure(x, runStart: runStart, ahead: &ahead)
        guard e.counts else { return true }
        consume(e.episode, portion: e.rest, length: e.length)
        threads.accounts[x.episode.tid]?.ahead = ahead
        return true
    }
}
