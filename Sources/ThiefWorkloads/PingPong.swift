import CThiefSys
import FoundationEssentials
import Glibc

/// `ping-pong`: this process (on CPU 0) and a forked child (`pong`, on CPU 1)
/// pass one byte back and forth through two pipes until `end`, in bursts of 10
/// round trips `pauseMs` apart (10 ms: under 1% of a CPU, so the live tests
/// that run beside it keep their books: a partner that wakes and preempts a
/// thread thousands of times a second takes interrupt time out of its slices'
/// se.sum_exec_runtime and stretches the kernel's run_delay).
/// Ping blocks in read(2). Pong polls its pipe for up to 50 µs before it
/// blocks, so inside a burst it answers within a microsecond, often while ping
/// is still switching out: the case where the tracer once lost almost every waker.
func pingPong(pauseMs: Int, until end: UInt64) {
    var ping: [Int32] = [0, 0], pong: [Int32] = [0, 0]
    guard pipe(&ping) == 0, pipe(&pong) == 0 else { return }
    let child = fork()
    if child == 0 {
        thief_set_thread_name("pong")
        _ = thief_pin_cpu(0, 1)
        close(ping[1])
        close(pong[0])
        answer(from: ping[0], to: pong[1])
        _exit(0)
    }
    _ = thief_pin_cpu(0, 0)
    close(ping[0])
    close(pong[1])
    var byte: UInt8 = 1
    var trips = 0
    while thief_monotonic_ns() < end, write(ping[1], &byte, 1) == 1, read(pong[0], &byte, 1) == 1 {
        trips += 1
        if trips % 10 == 0 { usleep(UInt32(max(1, pauseMs)) * 1000) }
    }
    close(ping[1])  // pong reads end-of-file and exits
    close(pong[0])
    if child > 0 {
        var status: Int32 = 0
        waitpid(child, &status, 0)
    }
}

/// Pong's loop: echo each byte; poll the pipe for 50 µs, then block.
private func answer(from input: Int32, to output: Int32) {
    _ = fcntl(input, F_SETFL, O_NONBLOCK)
    var byte: UInt8 = 0
    var idleSince = thief_monotonic_ns()
    while true {
        let n = read(input, &byte, 1)
        if n == 0 || (n < 0 && errno != EAGAIN) { return }
        if n == 1 {
            if write(output, &byte, 1) != 1 { return }
            idleSince = thief_monotonic_ns()
        } else if thief_monotonic_ns() - idleSince > 50_000 {
            var fd = pollfd(fd: input, events: Int16(POLLIN), revents: 0)
            _ = poll(&fd, 1, -1)
            idleSince = thief_monotonic_ns()
        }
    }
}
