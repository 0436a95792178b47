import CThiefBPF
import FoundationEssentials
import Glibc
import ThiefCore

/// The eBPF object compiled from bpf/thief.bpf.c at build time (BPFObjectPlugin).
enum BPFObject {
    /// Decoded for each load, not kept: libbpf copies what it needs while
    /// opening, and the 478 KB (and the text's copy) leave with the load.
    static var thief: Data {
        bpfObject_thiefBase64.withUTF8Buffer { text in
            defer { release(text) }
            return Data(base64Encoded: Data(text))
        } ?? Data()
    }

    /// The literal's text (641 KB in the binary's read-only data) is read
    /// once, to decode it; its pages would then count in thief's RSS for the
    /// whole run (~3% of the steady state). Handed back to the kernel: the
    /// whole pages inside it, which hold nothing but its characters, so that
    /// no other data loses its contents. Read again, they come back from the
    /// file (MADV_DONTNEED on a file mapping).
    private static func release(_ text: UnsafeBufferPointer<UInt8>) {
        guard let base = text.baseAddress else { return }
        let page = UInt(sysconf(Int32(_SC_PAGESIZE)))
        let start = (UInt(bitPattern: base) + page - 1) & ~(page - 1)
        let end = (UInt(bitPattern: base) + UInt(text.count)) & ~(page - 1)
        guard end > start, let first = UnsafeMutableRawPointer(bitPattern: start) else { return }
        _ = madvise(first, Int(end - start), MADV_DONTNEED)
    }

    /// Opens and loads the object (the kernel verifies it here): the shim's
    /// handle, for thief_bpf_close.
    static func load(_ config: thief_bpf_config) throws -> OpaquePointer {
        let object = thief
        guard !object.isEmpty else {
            throw TracerError(.internalError, "the embedded BPF object is empty (broken build)")
        }
        var config = config
        var handle: OpaquePointer?
        let rc = object.withUnsafeBytes { thief_bpf_open($0.baseAddress, $0.count, &config, &handle) }
        try TracerError.check(rc, .kernel, "cannot load the eBPF tracer")
        guard let tb = handle else { throw TracerError(.internalError, "tracer handle missing") }
        if ProcessInfo.processInfo.environment[coreCheckVariable] != nil {
            try coreCheck(object, config, tb)
        }
        return tb
    }

    /// TEST ONLY: after the load, load again with libbpf relocating against
    /// the kernel's whole BTF and compare (thief_bpf_core_check); a
    /// difference ends the run as an internal error.
    static let coreCheckVariable = "THIEF_TEST_CORE_CHECK"

    private static func coreCheck(_ object: Data, _ config: thief_bpf_config, _ tb: OpaquePointer) throws {
        var config = config
        let n = object.withUnsafeBytes { thief_bpf_core_check($0.baseAddress, $0.count, &config, tb) }
        if n < 0 {
            thief_bpf_close(tb)
            throw TracerError(.internalError, String(cString: thief_bpf_last_error()))
        }
        StandardError.write("thief: core check: \(n) programs relocate alike\n")
    }
}
