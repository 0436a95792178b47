import CThiefSys
import FoundationEssentials
import Glibc

/// `pipe-waker`: a forked writer process wakes this process's main thread
/// through a pipe `rate` times a second, so the live tests know who woke the
/// target and how often. The reader only reads: each of its voluntary
/// switches is a sleep in read(2) that one of the writer's bytes ends.
func pipeWaker(rate: Int, until end: UInt64) {
    var fds: [Int32] = [0, 0]
    guard pipe(&fds) == 0 else { return }
    let writer = fork()
    if writer == 0 {
        close(fds[0])
        thief_set_thread_name("pipe-writer")
        writeLoop(fds[1], rate: max(1, rate), until: end)
        _exit(0)
    }
    close(fds[1])
    var byte: UInt8 = 0
    // read returns 0 once the writer has closed its end (it ended).
    while read(fds[0], &byte, 1) > 0 {}
    close(fds[0])
    if writer > 0 {
        var status: Int32 = 0
        waitpid(writer, &status, 0)
    }
}

/// One byte every 1/rate s, on a fixed schedule (a late byte does not shift the next).
private func writeLoop(_ fd: Int32, rate: Int, until end: UInt64) {
    let period = 1_000_000_000 / UInt64(rate)
    var next = thief_monotonic_ns() + period
    var byte: UInt8 = 1
    while next < end {
        let now = thief_monotonic_ns()
        if next > now { usleep(UInt32((next - now) / 1000)) }
        _ = write(fd, &byte, 1)
        next += period
    }
}
