/// CPU sets in the kernel's hex mask form ("3", "1,00000000"), as sysfs
/// cpumask files take and print them (`bitmap_parse`, `%*pb`): 32-bit
/// words in hex, most significant first, separated by commas.
/// /sys/devices/virtual/workqueue/cpumask takes this form, not a CPU list.
public enum CPUMask {
    /// The highest CPU number a mask is made for (the kernel's NR_CPUS limit).
    public static let maxCPU = 8191

    /// The mask of `cpus` (negative or too large numbers left out); "0" for none.
    public static func format(_ cpus: [Int]) -> String {
        let valid = cpus.filter { (0...maxCPU).contains($0) }
        guard let top = valid.max() else { return "0" }
        var words = [UInt32](repeating: 0, count: top / 32 + 1)
        for c in valid { words[c / 32] |= 1 << UInt32(c % 32) }
        let hex = words.reversed().map { String($0, radix: 16) }
        return ([hex[0]] + hex.dropFirst().map { String(repeating: "0", count: 8 - $0.count) + $0 })
            .joined(separator: ",")
    }

    /// The CPUs of a mask as `bitmap_parse` reads it (words of at most 8 hex
    /// digits, a trailing newline allowed); nil for anything it refuses.
    public static func parse(_ text: String) -> [Int]? {
        var t = Substring(text)
        if t.hasSuffix("\n") { t = t.dropLast() }
        let words = t.split(separator: ",", omittingEmptySubsequences: false)
        guard !words.isEmpty, words.count <= (maxCPU + 1) / 32 else { return nil }
        var cpus: [Int] = []
        for (i, w) in words.reversed().enumerated() {
            guard (1...8).contains(w.count), let v = UInt32(w, radix: 16), w.allSatisfy(\.isHexDigit) else {
                return nil
            }
            for b in 0..<32 where v & (1 << UInt32(b)) != 0 { cpus.append(i * 32 + b) }
        }
        return cpus
    }
}
