import FoundationEssentials
import Glibc
import ThiefCore

/// Reads saved reports for `thief gate` and `--baseline`: one JSON report,
/// several written one after another (`--repeat N --format json`, to stdout or -o)
/// or NDJSON, or a recording (`.thief`), replayed into its whole-run report.
public enum ReportFile {
    public struct Invalid: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    public static func load(path: String) throws -> [Report] {
        guard let data = FileManager.default.contents(atPath: path) else {
            let why = FileManager.default.fileExists(atPath: path) ? "cannot be read" : "does not exist"
            throw Invalid(description: "report '\(path)' \(why)")
        }
        if data.starts(with: TraceFile.magic) {
            do {
                return Replay.reports(try TraceFile.parse(Array(data), name: path), interval: nil)
            } catch let e as TraceFile.Invalid {
                throw Invalid(description: e.description)
            }
        }
        do {
            return try reports(in: data)
        } catch let e as Invalid {
            throw Invalid(description: "report '\(path)': \(e.description)")
        }
    }

    /// Every top-level JSON object in `data`, decoded as a schema-1 report.
    public static func reports(in data: Data) throws -> [Report] {
        let documents = try split(data)
        guard !documents.isEmpty else { throw Invalid(description: "no JSON report in it") }
        return try documents.enumerated().map { n, doc in
            let which = documents.count > 1 ? "report \(n + 1): " : ""
            if let schema = (try? JSONDecoder().decode(SchemaProbe.self, from: doc))?.schema,
                schema != Report.schemaVersion
            {
                throw Invalid(
                    description:
                        "\(which)schema \(schema) is not supported (this thief reads schema \(Report.schemaVersion))")
            }
            do {
                return try JSONDecoder().decode(Report.self, from: doc)
            } catch let e as DecodingError {
                throw Invalid(description: which + summary(e))
            }
        }
    }

    /// A report's schema, read before the report itself: a newer thief's
    /// report gets "schema N is not supported", not a missing-key error.
    /// (Not JSONSerialization: that needs full Foundation, and ICU with it.)
    struct SchemaProbe: Decodable {
        var schema: Int?
    }

    /// Splits concatenated top-level JSON objects (strings and escapes respected).
    /// Lines starting with `::` between objects are skipped: GitHub workflow
    /// commands (`::error …`) that a CI step wrote into the same file. thief
    /// itself prints its annotations on stderr, never into the report.
    static func split(_ data: Data) throws -> [Data] {
        let bytes = [UInt8](data)
        var docs: [Data] = []
        var depth = 0, start = 0, inString = false, escaped = false, i = 0
        func byte(_ c: Unicode.Scalar) -> UInt8 { UInt8(ascii: c) }
        while i < bytes.count {
            let b = bytes[i]
            defer { i += 1 }
            if inString {
                if escaped {
                    escaped = false
                } else if b == byte("\\") {
                    escaped = true
                } else if b == byte("\"") {
                    inString = false
                }
                continue
            }
            switch b {
            case byte("\""):
                guard depth > 0 else { throw Invalid(description: "not a thief JSON report (expected an object)") }
                inString = true
            case byte("{"), byte("["):
                if depth == 0 {
                    guard b == byte("{") else {
                        throw Invalid(description: "not a thief JSON report (expected an object)")
                    }
                    start = i
                }
                depth += 1
            case byte("}"), byte("]"):
                depth -= 1
                guard depth >= 0 else {
                    throw Invalid(description: "not valid JSON (unbalanced '\(Character(UnicodeScalar(b)))')")
                }
                if depth == 0 { docs.append(Data(bytes[start...i])) }
            case byte(" "), byte("\n"), byte("\r"), byte("\t"):
                break
            case byte(":")
            where depth == 0 && i + 1 < bytes.count && bytes[i + 1] == byte(":")
                && (i == 0 || bytes[i - 1] == byte("\n")):
                while i + 1 < bytes.count, bytes[i + 1] != byte("\n") { i += 1 }
            default:
                guard depth > 0 else {
                    throw Invalid(description: "not a thief JSON report (text outside a JSON object)")
                }
            }
        }
        guard depth == 0, !inString else { throw Invalid(description: "not valid JSON (truncated)") }
        return docs
    }

    /// One line for a decoding error: what is wrong, and where.
    static func summary(_ e: DecodingError) -> String {
        func path(_ c: DecodingError.Context) -> String {
            let p = c.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return p.isEmpty ? "the top level" : String(p.drop { $0 == "." })
        }
        switch e {
        case .keyNotFound(let key, let c):
            let at = path(c)
            return "not a thief JSON report: missing '\(key.stringValue)'" + (c.codingPath.isEmpty ? "" : " in \(at)")
        case .typeMismatch(_, let c), .valueNotFound(_, let c):
            return "not a thief JSON report: wrong type at \(path(c))"
        case .dataCorrupted(let c):
            return c.codingPath.isEmpty ? "not valid JSON" : "not a thief JSON report: bad value at \(path(c))"
        @unknown default:
            return "not a thief JSON report"
        }
    }
}
