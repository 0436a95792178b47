import FoundationEssentials
import Glibc

/// A thread list as `-t` takes it: `TID[,TID…]`, each a positive thread id
/// (spaces around an id allowed).
public enum ThreadList {
    public struct Invalid: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    public static func parse(_ text: String) throws(Invalid) -> [Int32] {
        let parts = text.split(separator: ",")
        let tids = parts.compactMap { Int32($0.trimming(.whitespaces)) }
        guard !parts.isEmpty, tids.count == parts.count, tids.allSatisfy({ $0 > 0 }) else {
            throw Invalid(description: "invalid thread list '\(text)': use TID[,TID…]")
        }
        return unique(tids)
    }

    /// The ids in order, each once: `-p 1,1` traced PID 1's threads twice ("76 threads" for 38).
    public static func unique(_ ids: [Int32]) -> [Int32] {
        var seen = Set<Int32>()
        return ids.filter { seen.insert($0).inserted }
    }
}
