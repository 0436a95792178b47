import Foundation

/// The kernel's text symbols (/proc/kallsyms), to name the functions of
/// workqueue items. The file is large (over 100,000 lines): it is parsed
/// once, by whoever needs a name first, into sorted addresses and one
/// buffer of names. Without root its addresses read as 0 and nothing
/// resolves.
public struct KernelSymbols: Sendable {
    struct Entry: Sendable {
        var address: UInt64
        var start: UInt32
        var length: UInt16
    }

    /// The file is read up to this size.
    public static let maxBytes = 64 << 20
    /// An address this far past the last symbol is not in it.
    static let maxOffset: UInt64 = 1 << 20

    private var entries: [Entry] = []
    private var names: [UInt8] = []

    public var count: Int { entries.count }

    /// Text symbols (types t, T, w, W) of a kallsyms text; lines that do not parse are skipped.
    public init(text: [UInt8]) {
        var lineStart = 0
        for i in text.indices where text[i] == UInt8(ascii: "\n") {
            add(line: text[lineStart..<i], from: text)
            lineStart = i + 1
        }
        if lineStart < text.count { add(line: text[lineStart...], from: text) }
        entries.sort { ($0.address, $0.start) < ($1.address, $1.start) }
        // All zero: addresses hidden from this user (kptr_restrict).
        if entries.last?.address == 0 { entries = [] }
    }

    /// /proc/kallsyms of this machine (nil: unreadable).
    public static func load(_ path: String = "/proc/kallsyms") -> KernelSymbols? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while out.count < maxBytes {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { break }
            out.append(contentsOf: chunk[0..<n])
        }
        return KernelSymbols(text: out)
    }

    private mutating func add(line: ArraySlice<UInt8>, from text: [UInt8]) {
        let fields = line.split(whereSeparator: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") })
        guard fields.count >= 3, fields[1].count == 1, let kind = fields[1].first,
            [UInt8(ascii: "t"), UInt8(ascii: "T"), UInt8(ascii: "w"), UInt8(ascii: "W")].contains(kind),
            fields[0].count <= 16, let address = UInt64(String(decoding: fields[0], as: UTF8.self), radix: 16),
            fields[2].count <= Int(UInt16.max), names.count <= Int(UInt32.max) - fields[2].count
        else { return }
        entries.append(Entry(address: address, start: UInt32(names.count), length: UInt16(fields[2].count)))
        names.append(contentsOf: fields[2])
    }

    /// The symbol at or below `address`: "name", or "name+0x1c" inside it.
    public func name(of address: UInt64) -> String? {
        var lo = 0, hi = entries.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if entries[mid].address <= address { lo = mid + 1 } else { hi = mid }
        }
        guard lo > 0 else { return nil }
        let e = entries[lo - 1]
        let offset = address - e.address
        guard offset < Self.maxOffset else { return nil }
        let name = String(decoding: names[Int(e.start)..<Int(e.start) + Int(e.length)], as: UTF8.self)
        return offset == 0 ? name : name + "+0x" + String(offset, radix: 16)
    }

    /// How an address with no symbol is shown.
    public static func hex(_ address: UInt64) -> String { "0x" + String(address, radix: 16) }
}
