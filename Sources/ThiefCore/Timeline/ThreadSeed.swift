/// A thread that exists when tracing starts, as /proc shows it then. The
/// kernel side is seeded from it (off-core in `state` from the window's start,
/// waiting from then if runnable), and so is the timeline: one definition of
/// where a thread's first episode begins.
public struct ThreadSeed: Sendable, Equatable {
    public var tid: UInt32
    public var tgid: UInt32
    public var comm: String
    /// nil: not known (an old recording); its intervals then begin at its first event.
    public var state: OffState?

    public init(tid: UInt32, tgid: UInt32, comm: String, state: OffState? = nil) {
        self.tid = tid
        self.tgid = tgid
        self.comm = comm
        self.state = state
    }
}

/// In a recording's header: `state` as the number of enum thief_off_state.
extension ThreadSeed: Codable {
    enum CodingKeys: String, CodingKey { case tid, tgid, comm, state }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        tid = try c.decode(UInt32.self, forKey: .tid)
        tgid = try c.decode(UInt32.self, forKey: .tgid)
        comm = try c.decode(String.self, forKey: .comm)
        state = try c.decodeIfPresent(UInt8.self, forKey: .state).map { OffState(kernel: UInt32($0)) }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(tid, forKey: .tid)
        try c.encode(tgid, forKey: .tgid)
        try c.encode(comm, forKey: .comm)
        try c.encodeIfPresent(state.map { UInt8($0.rawValue) }, forKey: .state)
    }
}
