import Foundation
import Testing

/// Files written as root (docs/capture.md "Files thief writes"): in a sticky,
/// world-writable directory like /tmp, links another user (`nobody`) planted at
/// FILE, at names a temporary file could have, or at a directory of the path
/// never redirect a write. Each run either writes FILE correctly (a planted
/// link is replaced, never followed) or is refused with one line and exit 2;
/// the root-owned victim keeps its bytes and metadata either way.
@Suite(
    "Files written as root", .serialized,
    .enabled(if: Live.enabled, "needs root (setpriv, chown) and the built thief binary"))
struct FileSafetyTests {
    /// A recording that ships with the tests: `thief report` writes every format from it without eBPF.
    static let recording = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../ThiefCoreTests/Fixtures/competitor.thief").standardized.path
    static let savedReport = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../ThiefGateTests/Fixtures/report.json").standardized.path

    /// How a writer treats an existing FILE.
    enum Mode { case replace, append }

    /// `thief report RECORDING --format F -o FILE`.
    static func reportArgs(_ format: String) -> (String) -> [String] {
        { ["report", recording, "--format", format, "-o", $0] }
    }

    static func mode(of format: String) -> Mode { ["json", "openmetrics"].contains(format) ? .replace : .append }

    @Test("under sudo, the files thief makes belong to the invoking user, and appends to them work")
    func sudoOwnsOutput() throws {
        try Live.require()
        func owner(_ path: String) -> stat {
            var st = stat()
            _ = Glibc.lstat(path, &st)
            return st
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("thief-sudo-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sudo = ["SUDO_UID": "65534", "SUDO_GID": "65534"]
        for format in ["json", "csv"] {
            let file = dir + "/out.\(format)"
            for _ in 0..<2 {
                let run = try ThiefRun(Self.reportArgs(format)(file), environment: sudo)
                #expect(run.wait() == 0, "\(run.stderr)")
            }
            let st = owner(file)
            #expect(st.st_uid == 65534 && st.st_gid == 65534, "\(format): owned by \(st.st_uid):\(st.st_gid)")
        }
        // Two CSV runs: the second appended to the invoking user's file.
        #expect((try String(contentsOfFile: dir + "/out.csv", encoding: .utf8)).split(separator: "\n").count == 3)
        let plain = try ThiefRun(Self.reportArgs("json")(dir + "/root.json"))
        #expect(plain.wait() == 0)
        #expect(owner(dir + "/root.json").st_uid == 0)
    }

    @Test(
        "-o FILE: planted symlinks, hard links and directory links never redirect the write",
        arguments: [
            "text", "json", "ndjson", "csv", "openmetrics",
        ])
    func outputFile(format: String) throws {
        try Live.require()
        try Plants.check(
            Self.reportArgs(format), mode: Self.mode(of: format), victimContent: try Self.victimContent(format))
    }

    @Test("CSV append to an existing file: a swapped-in symlink or hard link is refused, the file is appended to")
    func csvAppendExisting() throws {
        try Live.require()
        let arena = try Arena()
        let file = arena.dir + "/app.csv"
        #expect(try run(Self.reportArgs("csv")(file)).code == 0)
        let once = try Data(contentsOf: URL(fileURLWithPath: file))
        #expect(try run(Self.reportArgs("csv")(file)).code == 0)
        let twice = try Data(contentsOf: URL(fileURLWithPath: file))
        #expect(twice.count > once.count && twice.prefix(once.count) == once, "the second run appends")

        // The file swapped for a link to a root-owned CSV with thief's header.
        let victim = try arena.victim(try Self.victimContent("csv"))
        try FileManager.default.removeItem(atPath: file)
        try asNobody(["ln", "-s", victim.path, file])
        let (code, stderr) = try run(Self.reportArgs("csv")(file))
        #expect(code == 2 && Plants.oneErrorLine(stderr), "exit \(code), stderr: \(stderr)")
        try victim.expectUnchanged()
    }

    @Test("--junit FILE: planted symlinks, hard links and directory links never redirect the write")
    func junitFile() throws {
        try Live.require()
        try Plants.check(
            { ["gate", Self.savedReport, "--fail-if", "migrations.count > 1000000", "--junit", $0] },
            mode: .replace, okCodes: [0, 1])
    }

    @Test("--record FILE: planted symlinks, hard links and directory links never redirect the recording")
    func recordFile() throws {
        try Live.require()
        // What was written is a whole recording.
        let replays: (String) throws -> Void = { file in
            let replay = try ThiefRun(["report", file, "--format", "json"])
            #expect(replay.wait() == 0, "replay of \(file): \(replay.stderr)")
        }
        try Plants.check(
            { ["record", "-q", "-d", "200ms", "-o", $0, "--", "sleep", "1"] }, mode: .replace, verify: replays)
    }

    @Test("a created file's mode is 0666 minus the umask, in every writer", arguments: ["002", "077"])
    func umask(mask: String) throws {
        try Live.require()
        let arena = try Arena()
        let expected = 0o666 & ~Int(mask, radix: 8)!
        let writers: [(String, (String) -> [String])] = [
            ("json", Self.reportArgs("json")), ("openmetrics", Self.reportArgs("openmetrics")),
            ("csv", Self.reportArgs("csv")), ("ndjson", Self.reportArgs("ndjson")), ("text", Self.reportArgs("text")),
            ("junit", { ["gate", Self.savedReport, "--fail-if", "migrations.count > 1000000", "--junit", $0] }),
            ("record", { ["record", "-q", "-d", "100ms", "-o", $0, "--", "true"] }),
        ]
        for (name, args) in writers {
            let file = arena.dir + "/umask-\(mask)-\(name)"
            let quoted = (args(file)).map { "'\($0)'" }.joined(separator: " ")
            let sh = try ThiefRun(["-c", "umask \(mask) && exec '\(Live.binary)' \(quoted)"], shell: true)
            #expect(sh.wait() == 0, "\(name): \(sh.stderr)")
            let mode = (try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int) ?? -1
            #expect(mode == expected, "\(name): mode \(String(mode, radix: 8)), want \(String(expected, radix: 8))")
        }
    }

    @Test("a directory other users can write to without the sticky bit is refused: one line, exit 2")
    func openDirectory() throws {
        try Live.require()
        let arena = try Arena()
        let open = arena.dir + "/open"
        try FileManager.default.createDirectory(atPath: open, withIntermediateDirectories: false)
        chmod(open, 0o777)
        for args in [Self.reportArgs("json"), Self.reportArgs("csv")] {
            let (code, stderr) = try run(args(open + "/out"))
            #expect(code == 2 && Plants.oneErrorLine(stderr), "exit \(code), stderr: \(stderr)")
            #expect(stderr.contains("writable by other users"), "\(stderr)")
            #expect(!FileManager.default.fileExists(atPath: open + "/out"))
        }
    }

    /// What the victim holds: for CSV, thief's own header (so an append through a link would be accepted
    /// by the header check and show in the victim); otherwise some root-owned bytes.
    static func victimContent(_ format: String) throws -> String {
        guard format == "csv" else { return "root-owned victim: do not touch\n" }
        let r = try ThiefRun(["report", recording, "--format", "csv"])
        #expect(r.wait() == 0)
        return String(r.stdout.prefix { $0 != "\n" }) + "\n"
    }
}

/// A fresh sticky, world-writable directory like /tmp (root's), and root-owned
/// victims in a root-only directory of the same filesystem.
final class Arena {
    let dir: String
    let safe: String

    init() throws {
        let id = UUID().uuidString
        dir = "/tmp/thief-shared-\(id)"
        safe = "/tmp/thief-victims-\(id)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
        try FileManager.default.createDirectory(atPath: safe, withIntermediateDirectories: false)
        guard chmod(dir, 0o1777) == 0, chmod(safe, 0o755) == 0 else { throw Live.Unavailable(description: "chmod") }
    }

    deinit {
        try? FileManager.default.removeItem(atPath: dir)
        try? FileManager.default.removeItem(atPath: safe)
    }

    /// A root-owned file, 0644, in the root-only directory (or in `subdir` of it).
    func victim(_ content: String, name: String = UUID().uuidString, subdir: String? = nil) throws -> Victim {
        var d = safe
        if let subdir {
            d += "/" + subdir
            try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        }
        let path = d + "/" + name
        try Data(content.utf8).write(to: URL(fileURLWithPath: path))
        chmod(path, 0o644)
        return try Victim(path: path)
    }
}

/// A root-owned file that must keep its bytes and metadata.
struct Victim {
    let path: String
    let bytes: Data
    let st: stat

    init(path: String) throws {
        self.path = path
        bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        st = try Self.lstat(path)
    }

    static func lstat(_ path: String) throws -> stat {
        var s = stat()
        guard Glibc.lstat(path, &s) == 0 else { throw Live.Unavailable(description: "lstat \(path)") }
        return s
    }

    /// Same inode, bytes, owner, mode, size and mtime (nlink and ctime move when a planted hard link goes).
    func expectUnchanged(_ context: String = "", sourceLocation: SourceLocation = #_sourceLocation) throws {
        let now = try Self.lstat(path)
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(data == bytes, "victim \(path) was written \(context)", sourceLocation: sourceLocation)
        #expect(
            now.st_ino == st.st_ino && now.st_uid == st.st_uid && now.st_gid == st.st_gid
                && now.st_mode == st.st_mode && now.st_size == st.st_size
                && now.st_mtim.tv_sec == st.st_mtim.tv_sec && now.st_mtim.tv_nsec == st.st_mtim.tv_nsec,
            "victim \(path) metadata changed \(context)", sourceLocation: sourceLocation)
    }
}

enum Plants {
    static func oneErrorLine(_ stderr: String) -> Bool {
        let lines = stderr.split(separator: "\n")
        return lines.count == 1 && lines[0].hasPrefix("thief: error: ")
    }

    /// Names a writer's temporary file could plausibly have next to FILE.
    static func temporaryNames(_ base: String) -> [String] {
        [base + ".tmp", "." + base + ".tmp", base + "~", base + ".new", base + ".part", "." + base + ".swp"]
    }

    /// Runs the writer against each plant in a fresh arena and checks the outcome.
    static func check(
        _ args: (String) -> [String], mode: FileSafetyTests.Mode, okCodes: Set<Int32> = [0],
        victimContent: String = "root-owned victim: do not touch\n",
        sourceLocation: SourceLocation = #_sourceLocation,
        verify: (String) throws -> Void = { _ in }
    ) throws {
        let base = "out"
        // 1. A symlink at FILE to a root-owned file.
        do {
            let arena = try Arena()
            let victim = try arena.victim(victimContent)
            let file = arena.dir + "/" + base
            try asNobody(["ln", "-s", victim.path, file])
            try outcome(
                "symlink at FILE", args(file), file: file, refuseAppend: mode == .append, okCodes: okCodes,
                verify: verify)
            try victim.expectUnchanged("through a symlink at FILE", sourceLocation: sourceLocation)
        }
        // 2. A hard link at FILE to a root-owned file. With fs.protected_hardlinks=1, nobody may not
        //    link a file it cannot write; then root makes the link (what nobody could do without it).
        do {
            let arena = try Arena()
            let victim = try arena.victim(victimContent)
            let file = arena.dir + "/" + base
            if (try? asNobody(["ln", victim.path, file])) == nil, link(victim.path, file) != 0 {
                throw Live.Unavailable(description: "cannot plant a hard link at \(file)")
            }
            let planted = try Victim.lstat(file)
            #expect(planted.st_nlink == 2)
            try outcome(
                "hard link at FILE", args(file), file: file, refuseAppend: mode == .append, okCodes: okCodes,
                verify: verify)
            try victim.expectUnchanged("through a hard link at FILE", sourceLocation: sourceLocation)
        }
        // 3. Symlinks at plausible temporary names, FILE absent.
        do {
            let arena = try Arena()
            let victims = try temporaryNames(base).map { _ in try arena.victim(victimContent) }
            for (name, victim) in zip(temporaryNames(base), victims) {
                try asNobody(["ln", "-s", victim.path, arena.dir + "/" + name])
            }
            let file = arena.dir + "/" + base
            try outcome(
                "symlinks at temporary names", args(file), file: file, refuseAppend: false, okCodes: okCodes,
                verify: verify)
            for v in victims { try v.expectUnchanged("through a temporary name", sourceLocation: sourceLocation) }
        }
        // 4. A directory of the path is nobody's symlink to a root-owned directory holding a victim named FILE.
        do {
            let arena = try Arena()
            let victim = try arena.victim(victimContent, name: base, subdir: "etc")
            try asNobody(["ln", "-s", arena.safe + "/etc", arena.dir + "/logs"])
            let file = arena.dir + "/logs/" + base
            let (code, stderr) = try run(args(file))
            #expect(code == 2 && oneErrorLine(stderr), "directory link: exit \(code), stderr: \(stderr)")
            try victim.expectUnchanged("through a linked directory", sourceLocation: sourceLocation)
            #expect(FileManager.default.fileExists(atPath: arena.safe + "/etc/" + base))
            let left = (try? FileManager.default.contentsOfDirectory(atPath: arena.safe + "/etc")) ?? []
            #expect(left == [base], "nothing created in the linked directory: \(left)")
        }
    }

    /// A correct write to FILE (a regular file of root's with one link, the planted link replaced), or
    /// one error line and exit 2 (the only right outcome for an append onto a planted link).
    static func outcome(
        _ what: String, _ args: [String], file: String, refuseAppend: Bool, okCodes: Set<Int32>,
        verify: (String) throws -> Void
    ) throws {
        let (code, stderr) = try run(args)
        if okCodes.contains(code) {
            let st = try Victim.lstat(file)
            #expect(st.st_mode & S_IFMT == S_IFREG && st.st_nlink == 1 && st.st_uid == 0, "\(what): FILE not replaced")
            #expect(st.st_size > 0, "\(what): FILE is empty")
            try verify(file)
            #expect(!refuseAppend, "\(what): an append went through a planted link")
        } else {
            #expect(code == 2 && oneErrorLine(stderr), "\(what): exit \(code), stderr: \(stderr)")
        }
    }
}

/// Runs the built thief as root; its exit code and stderr.
func run(_ args: [String]) throws -> (code: Int32, stderr: String) {
    let r = try ThiefRun(args)
    let code = r.wait()
    return (code, r.stderr)
}

/// A command as user nobody (group nogroup, no supplementary groups): how the links are planted.
func asNobody(_ argv: [String]) throws {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
    p.arguments = ["--reuid=nobody", "--regid=nogroup", "--clear-groups", "/usr/bin/env"] + argv
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    try p.run()
    p.waitUntilExit()
    guard p.terminationStatus == 0 else {
        throw Live.Unavailable(description: "as nobody: \(argv.joined(separator: " ")) failed")
    }
}
