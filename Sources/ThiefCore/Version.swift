public enum ThiefVersion {
    public static let current = "0.1.0"
}
