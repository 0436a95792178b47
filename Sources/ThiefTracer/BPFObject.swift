import CThiefBPF
import FoundationEssentials
import Glibc

/// The eBPF object compiled from bpf/thief.bpf.c at build time (BPFObjectPlugin).
enum BPFObject {
    /// Decoded for each load, not kept: libbpf copies what it needs while
    /// opening, and the 478 KB (and the text's copy) leave with the load.
    static var thief: Data {
        bpfObject_thiefBase64.withUTF8Buffer { Data(base64Encoded: Data($0)) } ?? Data()
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
        return tb
    }
}
