import CThiefBPF
import FoundationEssentials
import Glibc
import ThiefCore

/// What the running kernel can do, probed at start (thief_probe.c: a map the
/// kernel creates, a program it verifies, its BTF), never read off the
/// version string: distributions backport. Below the floor thief refuses in
/// one line; above it, what the kernel cannot measure is listed, not zeroed.
public struct KernelFeatures: Sendable, Equatable {
    public var btf: Bool
    public var ringbuf: Bool
    public var atomics: Bool
    public var throttledClock: Bool
    public var stealClock: Bool

    /// TEST ONLY: a comma-separated list of features (btf, ringbuf, atomics,
    /// throttled, steal) the probe reports absent, so the tests run the
    /// refusal and the unavailable paths on a kernel that has them all.
    public static let testVariable = "THIEF_TEST_NO_FEATURE"

    public static func probe(_ environment: [String: String] = ProcessInfo.processInfo.environment)
        -> KernelFeatures
    {
        var f = thief_bpf_features()
        _ = thief_bpf_probe_features(&f)
        var out = KernelFeatures(
            btf: f.btf != 0, ringbuf: f.ringbuf != 0, atomics: f.atomics != 0,
            throttledClock: f.throttled_clock != 0, stealClock: f.steal_clock != 0)
        for name in (environment[testVariable] ?? "").split(separator: ",") {
            switch name {
            case "btf": out.btf = false
            case "ringbuf": out.ringbuf = false
            case "atomics": out.atomics = false
            case "throttled": out.throttledClock = false
            case "steal": out.stealClock = false
            default: break
            }
        }
        return out
    }

    /// The first thing thief cannot run without, as one line naming it, the
    /// running kernel, and the kernel that brings it; nil above the floor.
    public func floorMessage(kernel: String) -> String? {
        let missing: (String, String)? =
            !btf
            ? ("BTF type information (/sys/kernel/btf/vmlinux, CONFIG_DEBUG_INFO_BTF=y)", "Linux 5.4")
            : !ringbuf
                ? ("the BPF ring buffer (BPF_MAP_TYPE_RINGBUF)", "Linux 5.8")
                : !atomics ? ("BPF atomic operations (compare-and-exchange, fetch-and-add)", "Linux 5.12") : nil
        guard let (what, since) = missing else { return nil }
        return "this kernel (\(kernel)) lacks \(what), which thief needs: it came with \(since)"
    }

    /// What the report shows as unavailable on this kernel.
    public var unavailable: [Unavailable] {
        (throttledClock ? [] : [.throttled]) + (stealClock ? [] : [.steal])
    }
}
