import FoundationEssentials
import Glibc

/// Facts about this machine for the report header.
public enum Host {
    public static var name: String {
        var buf = [CChar](repeating: 0, count: 256)
        gethostname(&buf, buf.count)
        let bytes = buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    public static var kernel: String {
        var u = utsname()
        uname(&u)
        return withUnsafeBytes(of: u.release) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
    }
}
