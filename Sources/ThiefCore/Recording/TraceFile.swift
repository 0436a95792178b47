import Foundation

/// A recording (`thief record`, `--record FILE`): a versioned binary file of
/// framed chunks: "THIEFREC", a u32 format version, then frames of
/// (u8 tag, u32 length, payload): 'H' the JSON RunHeader (first), 'R' raw
/// 64-byte records in arrival order, 'T' the JSON RunTrailer (last).
/// Little-endian throughout. The reader checks every length against the file.
public enum TraceFile {
    public static let magic = Array("THIEFREC".utf8)
    public static let formatVersion: UInt32 = 1

    public struct Invalid: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// A parsed recording.
    public struct Contents {
        public var header: RunHeader
        public var records: [UInt8]
        public var trailer: RunTrailer
        public var recordCount: Int { records.count / Record.size }
    }

    public static func parse(_ data: [UInt8], name: String = "recording") throws -> Contents {
        func bad(_ why: String) -> Invalid { Invalid(description: "\(name): \(why)") }
        guard data.count >= 12, Array(data[0..<8]) == magic else {
            throw bad("not a thief recording (bad magic)")
        }
        let version = le32(data, 8)
        guard version == formatVersion else {
            throw bad("recording format version \(version); this thief reads version \(formatVersion)")
        }
        var at = 12
        var header: RunHeader?
        var trailer: RunTrailer?
        var records: [UInt8] = []
        let dec = JSONDecoder()
        while at < data.count {
            guard data.count - at >= 5 else { throw bad("truncated frame header at byte \(at)") }
            let tag = data[at]
            let len = Int(le32(data, at + 1))
            at += 5
            guard len <= data.count - at else {
                throw bad("truncated: a frame at byte \(at - 5) claims \(len) bytes, \(data.count - at) remain")
            }
            let payload = data[at..<(at + len)]
            at += len
            switch tag {
            case UInt8(ascii: "H"):
                guard header == nil else { throw bad("two headers") }
                do { header = try dec.decode(RunHeader.self, from: Data(payload)) } catch {
                    throw bad("corrupt header")
                }
                guard header!.recordSize == Record.size, EventDecoder.readable.contains(header!.abiVersion) else {
                    throw bad(
                        "record layout \(header!.abiVersion)/\(header!.recordSize) bytes; this thief reads "
                            + "\(EventDecoder.readable.map(String.init).joined(separator: ", "))/\(Record.size)")
                }
            case UInt8(ascii: "R"):
                guard header != nil, trailer == nil else { throw bad("records outside header and trailer") }
                guard len % Record.size == 0 else {
                    throw bad("a record frame of \(len) bytes is not a whole number of records")
                }
                records.append(contentsOf: payload)
            case UInt8(ascii: "T"):
                guard header != nil, trailer == nil else { throw bad("misplaced trailer") }
                do { trailer = try dec.decode(RunTrailer.self, from: Data(payload)) } catch {
                    throw bad("corrupt trailer")
                }
            default:
                throw bad("unknown frame '\(tag)' at byte \(at - len - 5)")
            }
        }
        guard let header else { throw bad("no header") }
        guard let trailer else { throw bad("truncated: no trailer (the recording was cut off before the run ended)") }
        guard trailer.end >= header.runStart else { throw bad("corrupt: the run ends before it starts") }
        // Every record lies inside the run (tracing stops before the window closes).
        var offset = 0
        while offset + Record.size <= records.count {
            let ts = records.withUnsafeBytes { EventDecoder.time($0.baseAddress! + offset) }
            // (Records may start a little before the window: attach takes time.)
            guard ts <= trailer.end, ts >= header.runStart - min(header.runStart, 1_000_000_000) else {
                throw bad("corrupt: record \(offset / Record.size) lies outside the recorded run")
            }
            offset += Record.size
        }
        return Contents(header: header, records: records, trailer: trailer)
    }

    static func le32(_ d: [UInt8], _ i: Int) -> UInt32 {
        UInt32(d[i]) | UInt32(d[i + 1]) << 8 | UInt32(d[i + 2]) << 16 | UInt32(d[i + 3]) << 24
    }

    static func frame(_ tag: Character, _ payload: [UInt8]) -> [UInt8] {
        let n = UInt32(payload.count)
        return [
            UInt8(ascii: tag.unicodeScalars.first!), UInt8(n & 0xff), UInt8((n >> 8) & 0xff),
            UInt8((n >> 16) & 0xff), UInt8(n >> 24),
        ] + payload
    }

    public static func encodeStart(_ header: RunHeader) throws -> [UInt8] {
        var out = magic
        let v = formatVersion
        out += [UInt8(v & 0xff), UInt8((v >> 8) & 0xff), UInt8((v >> 16) & 0xff), UInt8(v >> 24)]
        out += frame("H", Array(try sortedEncoder().encode(header)))
        return out
    }

    public static func encodeRecords(_ bytes: [UInt8]) -> [UInt8] { frame("R", bytes) }

    public static func encodeEnd(_ trailer: RunTrailer) throws -> [UInt8] {
        frame("T", Array(try sortedEncoder().encode(trailer)))
    }

    static func sortedEncoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }
}
