/// Runs every rule over a report and keeps what is worth a reader's time:
/// sorted by saving, the most first. An advice is shown when its saving is
/// at least 1% of what it is a share of and at least 1 ms per second of the
/// window (so an idle target, with microseconds of waiting, gets none);
/// `all` shows everything the rules found.
public enum Advisor {
    public static let rules: [any AdviceRule] = [
        UserThiefRule(), KernelThreadRule(), ContentionRule(), QuotaRule(), HypervisorStealRule(),
        HardIRQRule(), TimerRule(), PartnerRule(),
    ]

    /// The documented threshold: a share of at least this ...
    public static let minShare = 0.01
    /// ... and at least this many ns per second of the window.
    public static let minNsPerSecond: UInt64 = 1_000_000

    public static func advise(_ r: Report, all: Bool = false) -> [Advice] {
        let c = AdviceContext(r)
        let floor = UInt64(clamping: Double(minNsPerSecond) * Double(r.window.durationNs) / 1e9)
        return rules.flatMap { $0.advise(r, c) }
            .filter { all || ($0.share >= minShare && $0.savingNs >= floor) }
            .sorted { ($0.savingNs, $1.rule) > ($1.savingNs, $0.rule) }
    }
}
