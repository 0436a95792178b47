/// One CPU's most recent stretches (`WaitStretch`), oldest first, at most
/// `capacity`: a longer history overwrites the oldest. Storage grows with
/// use up to the capacity and is then reused, so memory stays bounded.
final class StretchRing {
    static let capacity = 4096

    private var storage = ContiguousArray<WaitStretch>()
    /// Index of the oldest, once the storage is full.
    private var head = 0
    private(set) var count = 0
    /// The end of the newest stretch overwritten (0: none was).
    private(set) var droppedEnd: UInt64 = 0

    @inline(__always)
    func push(_ s: WaitStretch) {
        if storage.count < Self.capacity {
            storage.append(s)
            count += 1
            return
        }
        if count < Self.capacity {
            storage[(head + count) % Self.capacity] = s
            count += 1
            return
        }
        droppedEnd = max(droppedEnd, storage[head].end)
        storage[head] = s
        head = (head + 1) % Self.capacity
    }

    /// The i-th newest (0: the newest).
    @inline(__always)
    func newest(_ i: Int) -> WaitStretch {
        storage[(head + count - 1 - i) % storage.count]
    }

    /// Forgets the newest.
    func dropNewest() {
        guard count > 0 else { return }
        if storage.count < Self.capacity { storage.removeLast() }
        count -= 1
    }
}
