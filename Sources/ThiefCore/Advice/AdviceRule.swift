/// One rule: a finding of the report in, advice out. Rules read only the
/// report (so advice comes out the same from a live run, a recording or a
/// saved JSON report) and are tested one by one (docs/advice.md).
public protocol AdviceRule: Sendable {
    /// The stable id every advice of this rule carries.
    static var id: String { get }
    func advise(_ r: Report, _ c: AdviceContext) -> [Advice]
}

/// What every rule needs besides the report: the threshold and the CPUs.
public struct AdviceContext: Sendable {
    /// The target's runnable wait, the denominator of most shares.
    public var waitNs: UInt64
    public var onCoreNs: UInt64
    /// The CPUs the target ran or waited on.
    public var targetCPUs: [Int]
    /// The machine's online CPUs (0..<n); nil when the report does not say.
    public var cpusOnline: Int?
    /// The kernel is PREEMPT_RT: its users already own isolation (no nohz
    /// advice); interrupts are threads, ordered by priority.
    public var preemptRT: Bool

    public init(_ r: Report) {
        waitNs = r.runnableWait.totalNs
        onCoreNs = r.onCore.totalNs
        // (Read from a file as often as not: no more CPUs than a kernel can have.)
        targetCPUs = Array(Set(r.window.cpusSeen.filter { (0...CPUMask.maxCPU).contains($0) })).sorted()
        cpusOnline = r.window.cpusOnline.map { min(max($0, 0), CPUMask.maxCPU + 1) }
        preemptRT = r.tracer.preemptRT ?? false
    }

    /// Online CPUs the target did not use: where to move what disturbs it.
    public var otherCPUs: [Int] {
        guard let n = cpusOnline else { return [] }
        let mine = Set(targetCPUs)
        return (0..<n).filter { !mine.contains($0) }
    }

    /// The boot CPU: the kernel keeps it for housekeeping (it drops it from
    /// nohz_full), so advice never names it in boot parameters.
    public static let bootCPU = 0

    /// The target's CPUs that boot parameters can isolate (all but the boot CPU).
    public var isolatableCPUs: [Int] { targetCPUs.filter { $0 != Self.bootCPU } }

    public func share(ofWait ns: UInt64) -> Double { waitNs > 0 ? Double(ns) / Double(waitNs) : 0 }
    public func share(ofOnCore ns: UInt64) -> Double { onCoreNs > 0 ? Double(ns) / Double(onCoreNs) : 0 }
}

/// `0-3,8`: the kernel's list form of a CPU set.
public func cpuList(_ cpus: [Int]) -> String { CPUList.format(cpus) }

/// A duration for a gate rule or a sentence: whole µs or ms, rounded up so a
/// verify rule is never stricter than what it names.
public func gateDuration(_ ns: UInt64) -> String {
    ns >= 10_000_000 ? "\(ns / 1_000_000 + (ns % 1_000_000 > 0 ? 1 : 0))ms" : "\(max(1, (ns + 999) / 1_000))us"
}

/// A word for a command line a person pastes: as it is when it holds only
/// characters no shell reads specially, else single-quoted (a cgroup's
/// name, or a path from a saved report, may hold anything).
public func shellWord(_ s: String) -> String {
    let plain =
        !s.isEmpty
        && s.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || "0123456789/._-,:+@%=".unicodeScalars.contains($0))
        }
    return plain ? s : "'" + s.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
}

/// ms with one decimal, for findings.
public func msText(_ ns: UInt64) -> String {
    let tenths = ns / 100_000 + (ns % 100_000 >= 50_000 ? 1 : 0)
    return "\(tenths / 10).\(tenths % 10)ms"
}

/// A share as a whole percent, for findings.
public func pctText(_ share: Double) -> String { "\(Int(clamping: (share * 100).rounded()))%" }
