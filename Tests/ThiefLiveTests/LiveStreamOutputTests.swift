import Foundation
import Testing

/// `-o` onto something that is not a regular file (issue 22, item 1): a
/// character device, a FIFO, `-` and /dev/stdout are written in place, by
/// every writer; before, each was replaced by a regular file holding the
/// report (as root: /dev/null became a file). Nodes are made in a scratch
/// directory, never the system's own.
@Suite(
    "Output onto devices, FIFOs and standard output", .serialized,
    .enabled(if: Live.enabled, "needs root (mknod, eBPF) and the built thief binary"))
struct StreamOutputTests {
    /// Each writer, given its output path; `report` writers are deterministic (the same bytes every run).
    static var writers: [(name: String, args: (String) -> [String], deterministic: Bool)] {
        [
            ("json", FileSafetyTests.reportArgs("json"), true),
            ("openmetrics", FileSafetyTests.reportArgs("openmetrics"), true),
            ("html", FileSafetyTests.reportArgs("html"), true),
            ("csv", FileSafetyTests.reportArgs("csv"), true),
            ("perfetto", FileSafetyTests.reportArgs("perfetto"), true),
            (
                "junit",
                { ["gate", FileSafetyTests.savedReport, "--fail-if", "migrations.count > 1000000", "--junit", $0] },
                true
            ),
            ("record -o", { ["record", "-q", "-d", "100ms", "-o", $0, "--", "true"] }, false),
            ("--record", { ["-q", "-d", "100ms", "--format", "json", "--record", $0, "--", "true"] }, false),
            ("--trace", { ["-q", "-d", "100ms", "--format", "json", "--trace", $0, "--", "true"] }, false),
        ]
    }

    @Test("a character device stays the device (its bytes go to it), in every writer")
    func characterDevice() throws {
        try Live.require()
        let arena = try Arena()
        let node = arena.safe + "/null"
        guard mknod(node, S_IFCHR | 0o666, memNull) == 0 else { throw Live.Unavailable(description: "mknod") }
        for w in Self.writers {
            let (code, stderr) = try run(w.args(node))
            #expect(code == 0, "\(w.name): exit \(code), \(stderr)")
            let st = try Victim.lstat(node)
            #expect(st.st_mode & S_IFMT == S_IFCHR && st.st_rdev == memNull, "\(w.name): the node was replaced")
            #expect(try FileManager.default.contentsOfDirectory(atPath: arena.safe) == ["null"], "\(w.name)")
        }
    }

    @Test("a FIFO stays a FIFO and its reader gets what a file would have held, in every writer")
    func fifo() throws {
        try Live.require()
        let arena = try Arena()
        let fifo = arena.safe + "/pipe"
        guard mkfifo(fifo, 0o600) == 0 else { throw Live.Unavailable(description: "mkfifo") }
        for w in Self.writers {
            let reader = FIFOReader(fifo)
            let (code, stderr) = try run(w.args(fifo))
            #expect(code == 0, "\(w.name): exit \(code), \(stderr)")
            let got = reader.finish()
            #expect((try Victim.lstat(fifo)).st_mode & S_IFMT == S_IFIFO, "\(w.name): the FIFO was replaced")
            #expect(!got.isEmpty, "\(w.name): the reader got nothing")
            if w.deterministic {
                let file = arena.safe + "/regular"
                #expect(try run(w.args(file)).code == 0)
                #expect(
                    got == (try Data(contentsOf: URL(fileURLWithPath: file))), "\(w.name): bytes differ from a file's")
                try FileManager.default.removeItem(atPath: file)
            } else if w.name == "record -o" {
                let file = arena.safe + "/rec.thief"
                try got.write(to: URL(fileURLWithPath: file))
                let replay = try run(["report", file])
                #expect(replay.code == 0, "the recording through the FIFO replays: \(replay.stderr)")
            }
        }
    }

    @Test("-o - and -o /dev/stdout write standard output, as without -o")
    func standardOutput() throws {
        try Live.require()
        for format in ["json", "openmetrics", "html", "csv", "text"] {
            let plain = try ThiefRun(["report", FileSafetyTests.recording, "--format", format])
            #expect(plain.wait() == 0)
            for path in ["-", "/dev/stdout"] {
                let r = try ThiefRun(FileSafetyTests.reportArgs(format)(path))
                #expect(r.wait() == 0, "\(format) -o \(path): \(r.stderr)")
                #expect(!r.stdout.isEmpty && r.stdout == plain.stdout, "\(format) -o \(path)")
            }
        }
        let rec = try ThiefRun(["record", "-q", "-d", "100ms", "-o", "-", "--", "true"])
        #expect(rec.wait() == 0, "\(rec.stderr)")
        #expect((try Data(contentsOf: rec.outURL)).starts(with: Array("THIEFREC".utf8)), "record -o -: a recording")
    }

    @Test("a FIFO another user made in a shared directory is refused: one line, exit 2, nothing waits on it")
    func plantedFIFO() throws {
        try Live.require()
        let arena = try Arena()
        let fifo = arena.dir + "/out"
        try asNobody(["mkfifo", fifo])
        for w in Self.writers.prefix(4) {
            let (code, stderr) = try run(w.args(fifo))
            #expect(code == 2 && Plants.oneErrorLine(stderr), "\(w.name): exit \(code), \(stderr)")
            #expect(stderr.contains("FIFO of another user"), "\(stderr)")
            #expect((try Victim.lstat(fifo)).st_mode & S_IFMT == S_IFIFO)
        }
    }
}

/// /dev/null's device number, 1:3 (the old encoding, major << 8 | minor, holds for numbers this small).
let memNull = dev_t(1 << 8 | 3)

/// Reads a FIFO to its end on another thread.
final class FIFOReader: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ path: String) {
        Thread.detachNewThread { [self] in
            if let h = FileHandle(forReadingAtPath: path) { data = h.readDataToEndOfFile() }
            done.signal()
        }
    }

    /// What the writer sent (after it closed the FIFO); empty after 30 s.
    func finish() -> Data {
        _ = done.wait(timeout: .now() + 30)
        return data
    }
}
