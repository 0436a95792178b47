import Glibc

/// A thread body, handed to the new pthread through its one pointer argument.
private final class ThreadBody {
    let run: @Sendable () -> Void
    init(_ run: @escaping @Sendable () -> Void) { self.run = run }
}

/// Runs `body` on a new detached pthread (default attributes), as Foundation's
/// `Thread { … }.start()` did: Thread needs full Foundation, which links ICU's
/// 34 MB of data into thief (these workloads are thief demo's). False if the
/// system refused the thread.
@discardableResult
func startDetached(_ body: @escaping @Sendable () -> Void) -> Bool {
    let arg = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
    var thread = pthread_t()
    let rc = pthread_create(
        &thread, nil,
        { arg in
            Unmanaged<ThreadBody>.fromOpaque(arg!).takeRetainedValue().run()
            return nil
        }, arg)
    guard rc == 0 else {
        Unmanaged<ThreadBody>.fromOpaque(arg).release()
        return false
    }
    pthread_detach(thread)
    return true
}
