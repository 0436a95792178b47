import FoundationEssentials
import Glibc

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
    /// Set: keep only the nearest symbol at or below each of these addresses
    /// (a live run names a handful of work functions: the whole table is
    /// ~5 MB of memory it does not need).
    private var wanted: [UInt64]?
    private var best: [Int: (address: UInt64, name: [UInt8])] = [:]

    public var count: Int { entries.count }

    /// Text symbols (types t, T, w, W) of a kallsyms text; lines that do not parse are skipped.
    public init(text: [UInt8]) {
        feed(text[...])
        parse(line: text[(text.lastIndex(of: Self.newline).map { $0 + 1 } ?? 0)...])
        finish()
    }

    private init() {}

    /// /proc/kallsyms of this machine (nil: unreadable), read in chunks: the
    /// whole text (over 5 MB) is never held. With `only`, just the symbols
    /// that name those addresses are kept.
    public static func load(_ path: String = "/proc/kallsyms", only: Set<UInt64>? = nil) -> KernelSymbols? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var symbols = KernelSymbols()
        symbols.wanted = only.map { $0.sorted() }
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var total = 0
        while total < maxBytes {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { break }
            total += n
            pending.append(contentsOf: chunk[0..<n])
            guard let cut = pending.lastIndex(of: Self.newline) else { continue }
            symbols.feed(pending[...cut])
            pending.removeSubrange(...cut)
        }
        symbols.parse(line: pending[...])
        symbols.finish()
        return symbols
    }

    private static let newline = UInt8(ascii: "\n")

    /// Whole lines (a last one without its newline is left out).
    private mutating func feed(_ text: ArraySlice<UInt8>) {
        var lineStart = text.startIndex
        var i = text.startIndex
        while i < text.endIndex {
            if text[i] == Self.newline {
                parse(line: text[lineStart..<i])
                lineStart = i + 1
            }
            i += 1
        }
    }

    private mutating func finish() {
        for (_, b) in best {
            entries.append(Entry(address: b.address, start: UInt32(names.count), length: UInt16(b.name.count)))
            names += b.name
        }
        best = [:]
        entries.sort { ($0.address, $0.start) < ($1.address, $1.start) }
        // All zero: addresses hidden from this user (kptr_restrict).
        if entries.last?.address == 0 { entries = [] }
    }

    /// "ADDRESS TYPE NAME[\t[MODULE]]", without allocating.
    private mutating func parse(line: ArraySlice<UInt8>) {
        var i = line.startIndex
        var address: UInt64 = 0
        var digits = 0
        while i < line.endIndex, let d = Self.hexValue(line[i]) {
            address = address << 4 | UInt64(d)
            digits += 1
            i += 1
        }
        guard digits > 0, digits <= 16, i + 3 < line.endIndex, line[i] == UInt8(ascii: " "),
            [UInt8(ascii: "t"), UInt8(ascii: "T"), UInt8(ascii: "w"), UInt8(ascii: "W")].contains(line[i + 1]),
            line[i + 2] == UInt8(ascii: " ")
        else { return }
        let nameStart = i + 3
        var nameEnd = nameStart
        while nameEnd < line.endIndex, line[nameEnd] != UInt8(ascii: " "), line[nameEnd] != UInt8(ascii: "\t") {
            nameEnd += 1
        }
        let length = nameEnd - nameStart
        guard length > 0, length <= Int(UInt16.max), names.count <= Int(UInt32.max) - length else { return }
        if let wanted {
            keepIfNearest(address, line[nameStart..<nameEnd], wanted)
            return
        }
        entries.append(Entry(address: address, start: UInt32(names.count), length: UInt16(length)))
        names.append(contentsOf: line[nameStart..<nameEnd])
    }

    /// The symbol becomes the best for each wanted address it is at or
    /// below and closer to than the best so far.
    private mutating func keepIfNearest(_ address: UInt64, _ name: ArraySlice<UInt8>, _ wanted: [UInt64]) {
        var lo = 0, hi = wanted.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if wanted[mid] < address { lo = mid + 1 } else { hi = mid }
        }
        var i = lo
        while i < wanted.count, wanted[i] - address < Self.maxOffset {
            if (best[i]?.address).map({ address > $0 }) ?? true { best[i] = (address, Array(name)) }
            i += 1
        }
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
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
