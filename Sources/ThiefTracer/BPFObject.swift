import Foundation

/// The eBPF object compiled from bpf/thief.bpf.c at build time (BPFObjectPlugin).
enum BPFObject {
    static let thief: [UInt8] = {
        let text = bpfObject_thiefBase64.withUTF8Buffer { String(decoding: $0, as: UTF8.self) }
        return Array(Data(base64Encoded: text) ?? Data())
    }()
}
