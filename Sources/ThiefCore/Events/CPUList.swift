/// CPU numbers in the kernel's list form ("0-3,8"), as /proc/PID/status
/// prints Cpus_allowed_list.
public enum CPUList {
    /// Ascending or not, duplicates or not: the same list.
    public static func format(_ cpus: [Int]) -> String {
        let sorted = Array(Set(cpus)).sorted()
        var parts: [String] = []
        var i = 0
        while i < sorted.count {
            var j = i
            while j + 1 < sorted.count, sorted[j + 1] == sorted[j] + 1 { j += 1 }
            parts.append(i == j ? "\(sorted[i])" : "\(sorted[i])-\(sorted[j])")
            i = j + 1
        }
        return parts.joined(separator: ",")
    }

    /// The CPUs of a list as the kernel's `bitmap_parselist` reads it ("0-3,8",
    /// a trailing newline allowed); nil for anything it refuses.
    public static func parse(_ text: String) -> [Int]? {
        var t = Substring(text)
        if t.hasSuffix("\n") { t = t.dropLast() }
        guard !t.isEmpty else { return [] }
        var out: [Int] = []
        for part in t.split(separator: ",", omittingEmptySubsequences: false) {
            let ends = part.split(separator: "-", omittingEmptySubsequences: false)
            guard (1...2).contains(ends.count), ends.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) }),
                let a = Int(ends[0]), let b = Int(ends[ends.count - 1]), a >= 0, a <= b, b <= CPUMask.maxCPU
            else { return nil }
            out += Array(a...b)
        }
        return out
    }
}
