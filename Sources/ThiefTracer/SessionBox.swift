import CThiefBPF
import ThiefCore

/// Lets the C callback reach the session without retaining it per record.
final class SessionBox {
    var session: Session?
    var recorder: Recorder?
    var tap: LiveTap?
    /// Bytes drained since the consumer last slept.
    var drained = 0

    /// Attaches the programs, with this box as the ring buffer's consumer.
    func attach(_ tb: OpaquePointer) throws {
        let ctx = Unmanaged.passUnretained(self).toOpaque()
        try TracerError.check(thief_bpf_attach(tb, consumeRecords, ctx), .kernel, "cannot attach the eBPF tracer")
    }
}

/// The ring buffer's callback: each batch of records is folded into the
/// session and appended to the recording.
private func consumeRecords(_ ctx: UnsafeMutableRawPointer?, _ data: UnsafeMutableRawPointer?, _ size: Int) -> Int32 {
    guard let ctx, let data else { return 0 }
    let box = Unmanaged<SessionBox>.fromOpaque(ctx).takeUnretainedValue()
    box.drained &+= size
    box.tap?.samples(UnsafeRawPointer(data), size)
    box.session?.fold(bytes: UnsafeRawPointer(data), count: size)
    box.recorder?.append(UnsafeRawPointer(data), size)
    return 0
}
