import CThiefSys
import FoundationEssentials
import Glibc

/// `pipe-pair`: two threads of this process (`ping`, `pong`) pass one byte
/// back and forth through two pipes until `end`, on the CPU the process is
/// pinned to (`--cpu`), each working 50 µs before it answers: one of them
/// always runs, and each blocks in read(2) and wakes the other, so every
/// context switch on that CPU is from one target thread to the other (like
/// `perf bench sched pipe -T`, at a rate a debug build's consumer keeps up with).
func pipePair(until end: UInt64) {
    var ping: [Int32] = [0, 0], pong: [Int32] = [0, 0]
    guard pipe(&ping) == 0, pipe(&pong) == 0 else { return }
    let (pingIn, pingOut, pongIn, pongOut) = (ping[0], ping[1], pong[0], pong[1])
    startDetached {
        thief_set_thread_name("pong")
        var byte: UInt8 = 0
        while read(pingIn, &byte, 1) == 1 {
            spin(until: thief_monotonic_ns() + 50_000)
            if write(pongOut, &byte, 1) != 1 { break }
        }
        close(pongOut)  // ping reads end-of-file
    }
    thief_set_thread_name("ping")
    var byte: UInt8 = 1
    while thief_monotonic_ns() < end, write(pingOut, &byte, 1) == 1, read(pongIn, &byte, 1) == 1 {
        spin(until: thief_monotonic_ns() + 50_000)
    }
    close(pingOut)  // pong reads end-of-file and ends
    while read(pongIn, &byte, 1) > 0 {}
}
