import Testing
import ThiefCore

@Suite("DurationParser")
struct DurationParserTests {
    @Test(
        "valid durations",
        arguments: [
            ("500ms", UInt64(500_000_000)),
            ("30s", 30_000_000_000),
            ("2m", 120_000_000_000),
            ("1h", 3_600_000_000_000),
            ("250us", 250_000),
            ("250µs", 250_000),
            ("10ns", 10),
            ("1.5s", 1_500_000_000),
            ("2", 2_000_000_000),
            ("0.5", 500_000_000),
            (" 30s ", 30_000_000_000),
            ("1ns", 1),
        ])
    func valid(text: String, ns: UInt64) throws {
        #expect(try DurationParser.nanoseconds(text) == ns)
    }

    @Test(
        "invalid durations throw",
        arguments: [
            "", "abc", "-1s", "0", "10x", "1e3s", " s", "s", "ms", "1.2.3s", ".", "0s", "0.5ns", "1 s", "+1s",
        ])
    func invalid(text: String) {
        #expect(throws: DurationParser.Invalid.self) { try DurationParser.nanoseconds(text) }
    }

    @Test("the error message names the input")
    func message() {
        do {
            _ = try DurationParser.nanoseconds("10x")
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("'10x'"))
        }
    }

    /// Decimal durations must round to the nearest nanosecond, not truncate the
    /// binary floating-point product (8.2 * 1e6 = 8199999.999999999).
    @Test(
        "decimal durations are exact",
        arguments: [
            ("8.2ms", UInt64(8_200_000)),
            ("2.01ms", 2_010_000),
            ("4.1ms", 4_100_000),
            ("1.1s", 1_100_000_000),
            ("0.3s", 300_000_000),
        ])
    func decimalsExact(text: String, ns: UInt64) throws {
        #expect(try DurationParser.nanoseconds(text) == ns)
    }
}
