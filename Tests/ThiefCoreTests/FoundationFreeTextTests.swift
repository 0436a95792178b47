import Foundation
import Testing
import ThiefCore

/// thief's modules do without full Foundation (it links ICU's 34 MB of data):
/// these helpers replace the Foundation calls they used, and must give what
/// Foundation gives, which the tests (a separate executable) may still call.
@Suite("Text without Foundation: same results as Foundation")
struct FoundationFreeTextTests {
    /// Spaces, tabs and line ends of several kinds (Zs, U+200B, U+0085,
    /// U+2028, "\r\n" as one Character), and characters that are not trimmed
    /// (U+FEFF, U+180E, "x" and "é" decomposed).
    static let samples: [String] = [
        "", " ", "\t", "\n", "\r\n", "abc", "  abc  ", "\tabc\n", "\n\nabc\r\n", " a b ", "\u{00A0}a\u{3000}",
        "\u{2028}a\u{2029}", "\u{0085}a\u{000B}\u{000C}", "\u{200B}a\u{200B}", "\u{FEFF}a", "e\u{0301} ", " \u{0301}",
        "1234.567890\n", "  Tgid:\t42", "\r\n\r\n", "a\r\n", "\u{1680}x\u{205F}", " \u{202F} ", "\u{180E}a\u{180E}",
        "\u{2000}\u{200A}a\u{205F}",
    ]

    @Test("trimming(.whitespaces) is trimmingCharacters(in: .whitespaces)", arguments: samples)
    func whitespaces(_ s: String) {
        #expect(s.trimming(.whitespaces) == s.trimmingCharacters(in: .whitespaces))
        #expect(s.dropFirst(0).trimming(.whitespaces) == s.dropFirst(0).trimmingCharacters(in: .whitespaces))
    }

    @Test("trimming(.newlines) is trimmingCharacters(in: .newlines)", arguments: samples)
    func newlines(_ s: String) {
        #expect(s.trimming(.newlines) == s.trimmingCharacters(in: .newlines))
    }

    @Test("trimming(.whitespacesAndNewlines) is Foundation's", arguments: samples)
    func both(_ s: String) {
        #expect(s.trimming(.whitespacesAndNewlines) == s.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test("String(cFormat:) is String(format:) for the formats thief prints")
    func cFormat() {
        let values: [Double] = [
            0, 0.05, 0.049999, 0.125, 0.15, 1.25, 2.5, 12.345, 99.95, 99.949, 1e-9, 123_456_789.987, 1e21, -0.04, -3.75,
            .infinity, -.infinity, .nan, 4_294_967_296.5,
        ]
        for v in values {
            for f in ["%.1f%%", "%.1fms", "%.3fms", "%.0fms", "%g", "; on disk %.0fms after its window"] {
                #expect(String(cFormat: f, v) == String(format: f, v), "\(f) of \(v)")
            }
        }
        // Longer than the first buffer of 64 bytes.
        #expect(String(cFormat: "%.40f", 1.0 / 3) == String(format: "%.40f", 1.0 / 3))
        #expect(String(cFormat: "%.3f", 1e300).count > 300)
    }

    @Test(
        "lastRange(of:) is range(of:options: .backwards)",
        arguments: [
            "x > 1 over 1s", "a over b over c", " over over ", "over", " over ", "", "x over",
            "runnable_wait.tasks > 30% over 1s",
            "é over é over ",
        ])
    func lastRange(_ s: String) {
        let mine = s.lastRange(of: " over ")
        let foundation = s.range(of: " over ", options: .backwards)
        #expect(mine.map { s[$0.lowerBound...] } == foundation.map { s[$0.lowerBound...] })
    }
}
