public enum Median {
    /// The middle value; the mean of the two middle values for an even count; 0 for none.
    public static func of(_ values: [Double]) -> Double {
        let v = values.sorted()
        guard !v.isEmpty else { return 0 }
        let mid = v.count / 2
        return v.count % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2
    }
}
