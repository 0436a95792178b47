extension Session {
    /// How many of the longest waits each report keeps (`--worst N`; 0: none).
    public var worstWaits: Int {
        get { current.worstWaits.limit }
        set {
            for w in open { w.worstWaits.limit = max(0, newValue) }
        }
    }
}
