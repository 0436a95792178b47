/// thief's release version: the one place it is set. `thief --version`, the
/// reports' `version` field and scripts/package.sh (the .deb and tarball
/// names) read it from here.
public enum ThiefVersion {
    public static let current = "0.1.0"
}
