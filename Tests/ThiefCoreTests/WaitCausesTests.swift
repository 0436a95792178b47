import Testing

@testable import ThiefCore

@Suite("Wait causes: every ns of a wait in exactly one cause")
struct WaitCausesTests {
    @Test("other tasks get what the kernel did not name; the causes sum to the wait")
    func remainder() {
        let c = WaitCauses(length: 100, measured: .init(targets: 20, idle: 10, steal: 5, throttled: 0, known: true))
        #expect(c == WaitCauses(tasks: 65, targets: 20, throttled: 0, idle: 10, steal: 5, other: 0))
    }

    @Test("throttling comes out of idle first, then other tasks, then targets")
    func throttleCarve() {
        let m = WaitCauses.Measured(targets: 10, idle: 30, steal: 0, throttled: 80, known: true)
        let c = WaitCauses(length: 100, measured: m)
        #expect(c == WaitCauses(tasks: 10, targets: 10, throttled: 80, idle: 0, steal: 0, other: 0))
    }

    @Test("measurements larger than the wait are clipped (steal, then targets, then idle)")
    func clipped() {
        let c = WaitCauses(length: 50, measured: .init(targets: 40, idle: 40, steal: 20, throttled: 500, known: true))
        #expect(c.steal == 20 && c.total == 50 && c.throttled == 30 && c.tasks == 0)
    }

    @Test("a wait whose start the kernel did not see is all other")
    func unknown() {
        #expect(WaitCauses(length: 7, measured: .init(targets: 3, known: false)).other == 7)
    }

    @Test("a window's portion keeps the proportions and sums exactly")
    func scaled() {
        let c = WaitCauses(tasks: 333, targets: 333, throttled: 0, idle: 334, steal: 0, other: 0)
        for portion: UInt64 in [0, 1, 7, 500, 999, 1000] {
            let s = c.scaled(to: portion)
            #expect(s.total == portion)
        }
        #expect(c.scaled(to: 500).idle >= 167)
    }
}
