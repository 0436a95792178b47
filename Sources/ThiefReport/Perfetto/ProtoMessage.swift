/// A protobuf message being encoded: the wire format's four field shapes
/// thief needs (varint, zigzag-free int as varint, 64-bit length-delimited
/// bytes and nested messages). Field numbers come from Perfetto's
/// `perfetto_trace.proto` (docs/perfetto.md lists the ones used).
struct ProtoMessage {
    private(set) var bytes: [UInt8] = []

    init() {}

    var isEmpty: Bool { bytes.isEmpty }

    private mutating func varint(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7f) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    private mutating func tag(_ field: Int, _ wire: UInt64) { varint(UInt64(field) << 3 | wire) }

    /// uint32/uint64/enum/bool, and int32/int64 (negative ones as ten-byte two's complement).
    mutating func uint(_ field: Int, _ v: UInt64) {
        tag(field, 0)
        varint(v)
    }

    mutating func int(_ field: Int, _ v: Int64) { uint(field, UInt64(bitPattern: v)) }

    mutating func string(_ field: Int, _ s: String) { data(field, Array(s.utf8)) }

    mutating func data(_ field: Int, _ d: [UInt8]) {
        tag(field, 2)
        varint(UInt64(d.count))
        bytes += d
    }

    mutating func message(_ field: Int, _ m: ProtoMessage) { data(field, m.bytes) }

    /// A nested message built in place.
    mutating func message(_ field: Int, _ build: (inout ProtoMessage) -> Void) {
        var m = ProtoMessage()
        build(&m)
        message(field, m)
    }

    /// Messages already encoded one after another (repeated fields of one number).
    mutating func append(raw: [UInt8]) { bytes += raw }
}
