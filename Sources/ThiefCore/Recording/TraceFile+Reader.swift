import FoundationEssentials
import Glibc

extension TraceFile {
    /// Reads a recording frame by frame, checking every length against the
    /// file and the order of the frames; each error names the file.
    struct Reader {
        let data: [UInt8]
        let name: String
        private var at = 12
        private var header: RunHeader?
        private var trailer: RunTrailer?
        private var records: [UInt8] = []

        init(data: [UInt8], name: String) {
            self.data = data
            self.name = name
        }

        func bad(_ why: String) -> Invalid { Invalid(description: "\(name): \(why)") }

        /// The magic and the format version.
        func start() throws {
            guard data.count >= 12, Array(data[0..<8]) == magic else {
                throw bad("not a thief recording (bad magic)")
            }
            let version = le32(data, 8)
            guard version == formatVersion else {
                throw bad("recording format version \(version); this thief reads version \(formatVersion)")
            }
        }

        /// The next frame's tag and payload; nil at the end of the file.
        mutating func nextFrame() throws -> (UInt8, ArraySlice<UInt8>)? {
            guard at < data.count else { return nil }
            guard data.count - at >= 5 else { throw bad("truncated frame header at byte \(at)") }
            let tag = data[at]
            let len = Int(le32(data, at + 1))
            at += 5
            guard len <= data.count - at else {
                throw bad("truncated: a frame at byte \(at - 5) claims \(len) bytes, \(data.count - at) remain")
            }
            defer { at += len }
            return (tag, data[at..<(at + len)])
        }

        mutating func take(_ tag: UInt8, _ payload: ArraySlice<UInt8>) throws {
            switch tag {
            case UInt8(ascii: "H"):
                guard header == nil else { throw bad("two headers") }
                header = try decodeHeader(payload)
            case UInt8(ascii: "R"):
                guard header != nil, trailer == nil else { throw bad("records outside header and trailer") }
                guard payload.count % Record.size == 0 else {
                    throw bad("a record frame of \(payload.count) bytes is not a whole number of records")
                }
                records.append(contentsOf: payload)
            case UInt8(ascii: "T"):
                guard header != nil, trailer == nil else { throw bad("misplaced trailer") }
                do { trailer = try JSONDecoder().decode(RunTrailer.self, from: Data(payload)) } catch {
                    throw bad("corrupt trailer")
                }
            default:
                throw bad("unknown frame '\(tag)' at byte \(at - payload.count - 5)")
            }
        }

        private func decodeHeader(_ payload: ArraySlice<UInt8>) throws -> RunHeader {
            let h: RunHeader
            do { h = try JSONDecoder().decode(RunHeader.self, from: Data(payload)) } catch {
                throw bad("corrupt header")
            }
            guard h.recordSize == Record.size, EventDecoder.readable.contains(h.abiVersion) else {
                throw bad(
                    "record layout \(h.abiVersion)/\(h.recordSize) bytes; this thief reads "
                        + "\(EventDecoder.readable.map(String.init).joined(separator: ", "))/\(Record.size)")
            }
            return h
        }

        /// The whole recording, once every frame is read: a header, a
        /// trailer, and every record inside the run.
        func contents(checkValues: Bool) throws -> Contents {
            guard let header else { throw bad("no header") }
            guard let trailer else {
                throw bad("truncated: no trailer (the recording was cut off before the run ended)")
            }
            guard trailer.end >= header.runStart else { throw bad("corrupt: the run ends before it starts") }
            // Tracing stops before the window closes; records may start a
            // little before the window (attach takes time).
            let earliest = header.runStart - min(header.runStart, 1_000_000_000)
            // Nothing in the run lasted longer than the run (docs/recordings.md).
            let span = trailer.end - earliest
            let decoder = EventDecoder(abiVersion: header.abiVersion)
            var offset = 0
            while offset + Record.size <= records.count {
                let (ts, event) = records.withUnsafeBytes {
                    (EventDecoder.time($0.baseAddress! + offset), decoder.decode($0.baseAddress! + offset))
                }
                guard ts <= trailer.end, ts >= earliest else {
                    throw bad("corrupt: record \(offset / Record.size) lies outside the recorded run")
                }
                if checkValues, let event, event.longestClaim > span {
                    throw bad(
                        "corrupt: record \(offset / Record.size) (\(event.kindName)) claims \(event.longestClaim) ns, "
                            + "longer than the recorded run (\(span) ns)")
                }
                offset += Record.size
            }
            if checkValues { try check(trailer, span: span) }
            return Contents(header: header, records: records, trailer: trailer)
        }

        /// The trailer's own times: inside the run, no longer than it.
        private func check(_ t: RunTrailer, span: UInt64) throws {
            if let (tid, ns) = t.untouched.first(where: { $0.value > span }) {
                throw bad("corrupt: thread \(tid) claims \(ns) ns on-core, longer than the recorded run (\(span) ns)")
            }
            if let o = t.open.first(where: { max($0.onTs, $0.offTs, $0.waitTs) > t.end }) {
                throw bad("corrupt: thread \(o.tid) is open from after the run's end")
            }
        }
    }
}
