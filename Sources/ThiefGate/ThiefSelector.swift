/// Which thieves a `thief[…]` path sums: by comm (a glob with * and ?), tgid or pid.
public enum ThiefSelector: Hashable, Sendable, CustomStringConvertible {
    case comm(String), tgid(UInt32), pid(UInt32)

    public var description: String {
        switch self {
        case .comm(let g): return "comm=\(g)"
        case .tgid(let n): return "tgid=\(n)"
        case .pid(let n): return "pid=\(n)"
        }
    }
}
