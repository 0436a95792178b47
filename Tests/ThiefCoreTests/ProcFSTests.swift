import Testing

@testable import ThiefCore

@Suite("ProcFS parsing")
struct ProcFSTests {
    @Test(
        "se.sum_exec_runtime milliseconds with 6 decimals to ns",
        arguments: [
            ("1234.567890", UInt64(1_234_567_890)),
            ("0.000001", 1),
            ("5", 5_000_000),
            ("0.000000", 0),
            ("1.5", 1_500_000),
            ("12.3456789", 12_345_678),  // more than 6 decimals: ns precision, rest dropped
            ("98765432.100000", 98_765_432_100_000),
        ])
    func parseMillis(text: String, ns: UInt64) {
        #expect(ProcFS.parseMillis(text) == ns)
    }

    @Test("malformed values are nil", arguments: ["abc", "-1.5", "1.2x", "x.5"])
    func parseMillisInvalid(text: String) {
        #expect(ProcFS.parseMillis(text) == nil)
    }
}

@Suite("ProcFS parsing: malformed input does not trap")
struct ProcFSRobustnessTests {
    /// `"".split(separator: ".")` is empty, so `parts[0]` traps: a malformed
    /// "se.sum_exec_runtime :" line (empty value) or "." would abort thief
    /// at the end of a run. Expected: nil. Run in a child process (exit test).
    @Test("empty or dot-only values are nil, not a crash")
    func parseMillisEmpty() async {
        await #expect(processExitsWith: .success) {
            precondition(ProcFS.parseMillis("") == nil)
            precondition(ProcFS.parseMillis(".") == nil)
        }
    }

    /// Found by scripts/fuzz.sh (proc-sched): more milliseconds than UInt64
    /// nanoseconds hold overflowed `ms * 1_000_000` and trapped. Expected: nil.
    @Test("milliseconds beyond UInt64 nanoseconds are nil, not a crash")
    func parseMillisOverflow() async {
        await #expect(processExitsWith: .success) {
            precondition(ProcFS.parseMillis("18446744073709.551615") == UInt64.max)
            precondition(ProcFS.parseMillis("18446744073709.551616") == nil)
            precondition(ProcFS.parseMillis("99999999999999999.0") == nil)
            let sched = "se.sum_exec_runtime : 99999999999999999.0\nse.nr_migrations : 3\nnr_switches : 9\n"
            precondition(ProcFS.sched(text: sched, schedstat: "1 2 3\n") == nil)
        }
    }
}
