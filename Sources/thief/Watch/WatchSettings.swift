import ThiefGate

/// What `thief watch` was asked for, parsed and checked.
struct WatchSettings {
    var rules: [WatchRule]
    var beforeNs: UInt64
    var afterNs: UInt64
    var dir: String
    var memoryBytes: Int
    /// No capture starts within this long after the previous one's trigger.
    var cooldownNs: UInt64 = 0
    /// At most this many captures in any hour (nil: no limit).
    var maxPerHour: Int?
    /// The hour of maxPerHour (the hidden --rate-window: live tests shorten it).
    var hourNs: UInt64 = 3_600_000_000_000
    /// Keep the newest N of this watch's captures (nil: all).
    var keep: Int?
    /// Triggers inside an after-window extend it, up to this long after the first trigger.
    var maxAfterNs: UInt64
    var quiet = false
}
