/// `thief watch`'s memory: the newest raw records, in arrival order, in a
/// ring of fixed size (`--memory`). The storage is allocated once and never
/// grows; pages are touched as records first reach them. A record pushed out
/// moves `coveredFrom`: every record stamped after it is still held.
public final class RecordRing {
    /// How many records fit.
    public let capacity: Int
    private let storage: UnsafeMutableRawPointer
    /// The slot the next record goes to.
    private var next = 0
    public private(set) var count = 0
    /// Records pushed out to make room, since the start.
    public private(set) var dropped: UInt64 = 0
    /// The newest time among the records pushed out (0: none): the ring holds
    /// every record stamped after it (records arrive nearly in time order;
    /// this is the bound that holds whatever their order).
    public private(set) var droppedUpTo: UInt64 = 0

    /// `bytes`: the budget; the ring holds bytes / Record.size records (at least one).
    public init(bytes: Int) {
        capacity = max(bytes / Record.size, 1)
        storage = UnsafeMutableRawPointer.allocate(byteCount: capacity * Record.size, alignment: 8)
    }

    deinit { storage.deallocate() }

    /// The bytes the ring holds at most.
    public var byteCapacity: Int { capacity * Record.size }

    /// One ring-buffer sample: whole records only (anything else is ignored,
    /// as the session counts it unknown).
    @inline(__always)
    public func append(_ data: UnsafeRawPointer, _ size: Int) {
        guard size >= Record.size, size % Record.size == 0 else { return }
        var at = 0
        while at < size {
            let slot = storage + next * Record.size
            if count == capacity {
                droppedUpTo = max(droppedUpTo, EventDecoder.time(slot))
                dropped &+= 1
            } else {
                count += 1
            }
            slot.copyMemory(from: data + at, byteCount: Record.size)
            next = next + 1 == capacity ? 0 : next + 1
            at += Record.size
        }
    }

    /// The records stamped at or after `from`, oldest first (in arrival order).
    public func records(from: UInt64) -> [UInt8] {
        var out: [UInt8] = []
        forEach { p in
            if EventDecoder.time(p) >= from {
                out.append(contentsOf: UnsafeRawBufferPointer(start: p, count: Record.size))
            }
        }
        return out
    }

    /// Each held record, oldest first.
    public func forEach(_ body: (UnsafeRawPointer) -> Void) {
        var slot = count == capacity ? next : 0
        for _ in 0..<count {
            body(UnsafeRawPointer(storage + slot * Record.size))
            slot = slot + 1 == capacity ? 0 : slot + 1
        }
    }
}
