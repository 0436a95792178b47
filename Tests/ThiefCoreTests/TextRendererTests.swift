import Testing

@testable import ThiefCore
@testable import ThiefReport

/// Text renderer behaviour not covered by the golden file.
@Suite("Text renderer")
struct TextRendererTests {
    @Test("an empty window renders 'no …' and 'none'")
    func empty() {
        let a = Window(windowStart: W)
        a.close(at: W + 1_000 * ms, open: [])
        let text = TextRenderer.render(a.report(meta()))
        #expect(text.contains("0 threads, 1.000s window"))
        #expect(text.contains("CPUs seen: none"))
        #expect(text.contains("2. On-core: no slices"))
        #expect(text.contains("3. Off-core: no intervals"))
        #expect(text.contains("runnable wait (preempted + wakeup-to-run): no waits"))
        #expect(text.components(separatedBy: "   none\n").count == 5)  // thieves, interrupts, worst waits, wakers
        #expect(!text.contains("INCOMPLETE"))
    }

    @Test("lost events mark the report incomplete")
    func lostEvents() {
        let a = Window(windowStart: W)
        a.close(at: W + 10 * ms, open: [])
        let text = TextRenderer.render(a.report(meta(lostEvents: 7)))
        #expect(text.contains("lost events: 7  ** INCOMPLETE: the ring buffer overflowed **"))
    }

    @Test("a launched command: its argv and exit status in the header")
    func command() {
        let a = Window(windowStart: W)
        a.close(at: W + 10 * ms, open: [])
        let text = TextRenderer.render(a.report(meta(command: ["sleep", "1"], exitStatus: 0)))
        #expect(text.hasPrefix("thief 0.1.0: 'sleep 1' (victim), 0 threads, 10.00ms window"))
        #expect(text.contains("ended: duration (exit status 0)"))
    }

    @Test("more than 20 thieves: the first 20 and a count of the rest")
    func manyThieves() {
        let a = Window(windowStart: W)
        for pid: UInt32 in 1...25 {
            a.fold(
                Record(
                    kind: .steal, ts: W + 5 * ms, start: W + 1 * ms, dur: UInt64(pid) * us,
                    tid: 10, tgid: 10, otherPid: 100 + pid, otherTgid: 100 + pid, comm: "t\(pid)"))
        }
        a.close(at: W + 10 * ms, open: [])
        let text = TextRenderer.render(a.report(meta()))
        #expect(text.contains("… and 5 more (see --format json)"))
        #expect(text.contains("total stolen: 325.0us by 25 tasks"))
        #expect(!text.contains(" t5 "))
        #expect(text.contains(" t25 "))
    }
}

@Suite("Format")
struct FormatTests {
    @Test(
        "durations pick a unit by size",
        arguments: [
            (UInt64(0), "0ns"), (999, "999ns"), (1_000, "1.0us"), (12_345, "12.3us"),
            (4_100_000, "4.10ms"), (1_234_000_000, "1.234s"), (100_000_000, "100.00ms"),
        ])
    func duration(ns: UInt64, text: String) {
        #expect(Format.duration(ns) == text)
    }

    /// A value that rounds up to the next unit must be shown in that unit:
    /// 999_950 ns is 999.95 us, which prints as "1000.0us" today.
    @Test(
        "rounding up across a unit boundary uses the larger unit",
        arguments: [
            (UInt64(999_950), "1.00ms"), (999_995_000, "1.000s"),
        ])
    func durationBoundary(ns: UInt64, text: String) {
        #expect(Format.duration(ns) == text)
    }

    @Test("fixed-point, micros, percent and padding")
    func fixed() {
        #expect(Format.fixed(1.005, 0) == "1")
        #expect(Format.fixed(12.3456, 2) == "12.35")
        #expect(Format.fixed(0.05, 3) == "0.050")
        #expect(Format.fixed(-2.5, 1) == "-2.5")
        #expect(Format.micros(1_500) == "1.50")
        #expect(Format.percent(0.69992) == "70.0%")
        #expect(Format.percent(0.3) == "30.0%")
        #expect(Format.pad("ab", 4) == "  ab")
        #expect(Format.pad("ab", 4, left: true) == "ab  ")
        #expect(Format.pad("abcdef", 4) == "abcdef")
    }
}
