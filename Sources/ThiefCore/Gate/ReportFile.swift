import Foundation

/// Reads saved JSON reports for `thief gate` and `--baseline`: one report, or
/// several written one after another (`--repeat N --format json > runs.json`).
public enum ReportFile {
    public struct Invalid: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    public static func load(path: String) throws -> [Report] {
        guard let data = FileManager.default.contents(atPath: path) else {
            let why = FileManager.default.fileExists(atPath: path) ? "cannot be read" : "does not exist"
            throw Invalid(description: "report '\(path)' \(why)")
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
            let probe = try? JSONSerialization.jsonObject(with: doc) as? [String: Any]
            if let schema = probe?["schema"] as? Int, schema != Report.schemaVersion {
                throw Invalid(description: "\(which)schema \(schema) is not supported (this thief reads schema \(Report.schemaVersion))")
            }
            do {
                return try JSONDecoder().decode(Report.self, from: doc)
            } catch let e as DecodingError {
                throw Invalid(description: which + summary(e))
            }
        }
    }

    /// Splits concatenated top-level JSON objects (strings and escapes respected).
    static func split(_ data: Data) throws -> [Data] {
        var docs: [Data] = []
        var depth = 0, start = 0, inString = false, escaped = false
        for (i, b) in data.enumerated() {
            if inString {
                if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch b {
            case UInt8(ascii: "\""):
                guard depth > 0 else { throw Invalid(description: "not a thief JSON report (expected an object)") }
                inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                if depth == 0 {
                    guard b == UInt8(ascii: "{") else { throw Invalid(description: "not a thief JSON report (expected an object)") }
                    start = i
                }
                depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                guard depth >= 0 else { throw Invalid(description: "not valid JSON (unbalanced '\(Character(UnicodeScalar(b)))')") }
                if depth == 0 { docs.append(data.subdata(in: data.startIndex + start ..< data.startIndex + i + 1)) }
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
                break
            default:
                guard depth > 0 else { throw Invalid(description: "not a thief JSON report (text outside a JSON object)") }
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
