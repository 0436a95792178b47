import FoundationEssentials
import Glibc

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

    /// The recording, its frames and its values checked (docs/recordings.md).
    public static func parse(_ data: [UInt8], name: String = "recording") throws -> Contents {
        try parse(data, name: name, checkValues: true)
    }

    /// `checkValues` false: its frames only (for tests and the `recording`
    /// fuzz target: the analyses' arithmetic holds on values `parse` refuses).
    public static func parse(_ data: [UInt8], name: String, checkValues: Bool) throws -> Contents {
        var reader = Reader(data: data, name: name)
        try reader.start()
        while let (tag, payload) = try reader.nextFrame() { try reader.take(tag, payload) }
        return try reader.contents(checkValues: checkValues)
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
