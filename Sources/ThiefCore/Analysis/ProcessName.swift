/// The name of a process row (`target.processes[].comm`): its main thread's
/// name, or when the main thread is not in the window (or has none) the name
/// of its lowest thread that has one. Kept as the few candidates that can
/// decide it, so that the threads of a process can be added in any order and
/// the exited threads folded away (`Threads.fold`) still name their process.
public struct ProcessName: Sendable, Equatable {
    /// The main thread's name, when it is among the threads added.
    private var main: String?
    /// The lowest named thread below the main thread's tid, and above it.
    private var below: (tid: UInt32, comm: String)?
    private var above: (tid: UInt32, comm: String)?

    public init() {}

    public static func == (a: ProcessName, b: ProcessName) -> Bool {
        a.main == b.main && a.below?.tid == b.below?.tid && a.below?.comm == b.below?.comm
            && a.above?.tid == b.above?.tid && a.above?.comm == b.above?.comm
    }

    public mutating func add(tid: UInt32, tgid: UInt32, comm: String) {
        if tid == tgid {
            main = comm
        } else if !comm.isEmpty {
            if tid < tgid, below.map({ tid < $0.tid }) ?? true { below = (tid, comm) }
            if tid > tgid, above.map({ tid < $0.tid }) ?? true { above = (tid, comm) }
        }
    }

    public mutating func add(_ other: ProcessName, tgid: UInt32) {
        if let m = other.main { add(tid: tgid, tgid: tgid, comm: m) }
        if let b = other.below { add(tid: b.tid, tgid: tgid, comm: b.comm) }
        if let a = other.above { add(tid: a.tid, tgid: tgid, comm: a.comm) }
    }

    /// The main thread's name if it has one; after an unnamed main thread, the
    /// lowest named thread above it; with no main thread, the lowest named one.
    public var comm: String {
        if let main { return main.isEmpty ? above?.comm ?? "" : main }
        return (below ?? above)?.comm ?? ""
    }
}
