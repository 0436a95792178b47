import FoundationEssentials
import Glibc
import ThiefCore

/// The JSON report (schema 1): keys sorted, so output is stable for diffing.
public enum JSONRenderer {
    public static func render(_ r: Report) throws -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try enc.encode(r), as: UTF8.self) + "\n"
    }

    /// One line: an NDJSON record.
    public static func renderLine(_ r: Report) throws -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try enc.encode(r), as: UTF8.self) + "\n"
    }

    public static func decode(_ data: Data) throws -> Report {
        try JSONDecoder().decode(Report.self, from: data)
    }
}
