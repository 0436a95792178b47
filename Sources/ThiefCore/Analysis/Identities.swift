/// The scheduling identities of culprits (`Event.identity`), for the whole
/// run: the kernel sends one per task, once, so a later interval's window
/// must still find it. One table is shared by all of a session's windows.
///
/// Keyed by pid and time, since pids are reused: a pid keeps its last few
/// identities, and a lookup takes the newest one sent at or before the time
/// asked. Memory is bounded under a fork storm: past `capacity` identities
/// the oldest received are dropped first.
public final class Identities {
    /// The most identities kept (the kernel's own table holds as many tasks).
    public static let capacity = 16_384
    /// Identities kept per pid (a pid reused within one window is rare).
    static let perPID = 4

    private var byPID: [UInt32: [TaskIdentity]] = [:]
    /// Arrival order, for dropping the oldest; entries already gone are skipped.
    private var order: [(pid: UInt32, time: UInt64)] = []
    private var head = 0
    public private(set) var count = 0
    private let capacity: Int

    public init(capacity: Int = Identities.capacity) { self.capacity = max(1, capacity) }

    public func consume(_ event: Event) {
        guard case .identity(let id) = event else { return }
        add(id)
    }

    public func add(_ id: TaskIdentity) {
        var list = byPID[id.pid] ?? []
        if let i = list.firstIndex(where: { $0.time == id.time }) {
            list[i] = id
        } else {
            list.append(id)
            list.sort { $0.time < $1.time }
            count += 1
            order.append((id.pid, id.time))
            if list.count > Self.perPID {
                list.removeFirst()
                count -= 1
            }
        }
        byPID[id.pid] = list
        while count > capacity { dropOldest() }
        compactIfNeeded()
    }

    /// The newest identity of `pid` sent at or before `time`.
    public func identity(of pid: UInt32, at time: UInt64) -> TaskIdentity? {
        byPID[pid]?.last { $0.time <= time }
    }

    private func dropOldest() {
        while head < order.count {
            let (pid, time) = order[head]
            head += 1
            guard var list = byPID[pid], let i = list.firstIndex(where: { $0.time == time }) else { continue }
            list.remove(at: i)
            byPID[pid] = list.isEmpty ? nil : list
            count -= 1
            return
        }
    }

    /// The arrival list holds at most twice the capacity, dropped and stale entries included.
    private func compactIfNeeded() {
        guard order.count - head > 2 * capacity || (head > capacity && head * 2 > order.count) else { return }
        order = order[head...].filter { e in byPID[e.pid]?.contains { $0.time == e.time } ?? false }
        head = 0
    }
}
