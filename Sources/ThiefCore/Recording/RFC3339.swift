import FoundationEssentials
import Glibc

/// RFC 3339 in UTC with milliseconds, without Foundation's formatters (stable output).
public enum RFC3339 {
    public static func format(epochNs: UInt64) -> String {
        let secs = Int64(epochNs / 1_000_000_000)
        let ms = Int((epochNs / 1_000_000) % 1000)
        var t = time_t(secs)
        var tmv = tm()
        gmtime_r(&t, &tmv)
        func p(_ v: Int32, _ w: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, w - s.count)) + s
        }
        return "\(p(tmv.tm_year + 1900, 4))-\(p(tmv.tm_mon + 1, 2))-\(p(tmv.tm_mday, 2))T"
            + "\(p(tmv.tm_hour, 2)):\(p(tmv.tm_min, 2)):\(p(tmv.tm_sec, 2)).\(p(Int32(ms), 3))Z"
    }
}
