extension StringProtocol {
    /// The last occurrence of `target`: what Foundation's `range(of:options:
    /// .backwards)` finds (searching from the end, so in " over over " the
    /// second " over ", which `ranges(of:).last` would miss: it overlaps the first).
    public func lastRange(of target: String) -> Range<Index>? {
        guard !target.isEmpty else { return nil }
        var i = endIndex
        while i > startIndex {
            i = index(before: i)
            if self[i...].hasPrefix(target) { return i..<index(i, offsetBy: target.count) }
        }
        return nil
    }
}
