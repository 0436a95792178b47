import FoundationEssentials
import Glibc

/// Runs `thief watch`'s capture writing on a thread of its own, so the
/// consumer keeps draining the kernel's ring buffer while a capture is
/// replayed and rendered (0.3–1.8 s for 30–60 k records on a loaded machine):
/// on the consumer, a busy target's records filled the ring buffer meanwhile
/// (lost) and a trigger was seen that much later. One job at a time: `submit`
/// waits for the previous one, so at most two captures are in memory, the one
/// being written and the one just assembled. Its thread blocks every signal:
/// the consumer takes SIGINT/SIGTERM/SIGUSR1, and no write is interrupted.
final class CaptureWorker: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let cond = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var thread: pthread_t?
    private var job: (() -> Void)?
    private var busy = false
    private var stopping = false
    private var error: Error?

    init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(cond, nil)
    }

    deinit {
        pthread_cond_destroy(cond)
        pthread_mutex_destroy(mutex)
        cond.deallocate()
        mutex.deallocate()
    }

    /// The first error a job reported (`fail`), for the consumer to throw.
    var failure: Error? { locked { error } }

    /// Called by a job that could not finish.
    func fail(_ e: Error) { locked { if error == nil { error = e } } }

    /// Runs `body` on the worker once the previous job is done. Starts the
    /// thread on first use; if it cannot, runs `body` here.
    func submit(_ body: @escaping () -> Void) {
        if thread == nil, !start() {
            body()
            return
        }
        locked {
            while busy { pthread_cond_wait(cond, mutex) }
            job = body
            busy = true
            pthread_cond_broadcast(cond)
        }
    }

    /// Waits for the job in progress, then ends the thread.
    func finish() {
        guard let t = thread else { return }
        locked {
            while busy { pthread_cond_wait(cond, mutex) }
            stopping = true
            pthread_cond_broadcast(cond)
        }
        pthread_join(t, nil)
        thread = nil
    }

    private func start() -> Bool {
        var t = pthread_t()
        // The thread holds the worker until it ends (no deinit under a waiting thread).
        let me = Unmanaged.passRetained(self).toOpaque()
        let made = pthread_create(
            &t, nil,
            { arg in
                var all = sigset_t()
                sigfillset(&all)
                pthread_sigmask(SIG_BLOCK, &all, nil)
                Unmanaged<CaptureWorker>.fromOpaque(arg!).takeRetainedValue().loop()
                return nil
            }, me)
        guard made == 0 else {
            Unmanaged<CaptureWorker>.fromOpaque(me).release()
            return false
        }
        thread = t
        return true
    }

    private func loop() {
        while let body = next() {
            body()
            locked {
                busy = false
                pthread_cond_broadcast(cond)
            }
        }
    }

    /// The next job, or nil once stopping with none left.
    private func next() -> (() -> Void)? {
        locked {
            while job == nil, !stopping { pthread_cond_wait(cond, mutex) }
            defer { job = nil }
            return job
        }
    }

    private func locked<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body()
    }
}
