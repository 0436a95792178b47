import Foundation
import Testing
import ThiefCore

/// SafeFile without root: what it refuses and what it writes, in a private
/// temporary directory (the planted-by-another-user cases are in the live
/// suite "Files written as root").
@Suite("SafeFile")
final class SafeFileTests {
    let dir: String

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("thief-safefile-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
        chmod(dir, 0o700)
    }

    /// Each test's directory goes with it (they piled up in /tmp).
    deinit { try? FileManager.default.removeItem(atPath: dir) }

    func entries() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted() }

    @Test("replace writes FILE, replaces a symlink at FILE instead of following it, and leaves no temporary file")
    func replace() throws {
        let target = dir + "/target"
        try Data("keep".utf8).write(to: URL(fileURLWithPath: target))
        try FileManager.default.createSymbolicLink(atPath: dir + "/out", withDestinationPath: target)
        try SafeFile.replace(dir + "/out", with: Array("new".utf8))
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "keep")
        #expect(try String(contentsOfFile: dir + "/out", encoding: .utf8) == "new")
        #expect(
            try FileManager.default.attributesOfItem(atPath: dir + "/out")[.type] as? FileAttributeType == .typeRegular)
        #expect(entries() == ["out", "target"])
    }

    @Test("append creates, appends, and refuses a symlink or a second hard link at FILE")
    func append() throws {
        let file = dir + "/log"
        try SafeFile.append(file) { e in
            #expect(e.size == 0 && e.head.isEmpty)
            return Array("a\n".utf8)
        }
        try SafeFile.append(file) { e in
            #expect(e.size == 2 && e.head == Array("a\n".utf8))
            return Array("b\n".utf8)
        }
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "a\nb\n")

        try FileManager.default.createSymbolicLink(atPath: dir + "/link", withDestinationPath: file)
        #expect(throws: SafeFile.Refused.self) { try SafeFile.append(dir + "/link") { _ in Array("x".utf8) } }
        #expect(throws: SafeFile.Refused.self) { _ = try SafeFile.head(dir + "/link") }
        #expect(link(file, dir + "/hard") == 0)
        #expect(throws: SafeFile.Refused.self) { try SafeFile.append(dir + "/hard") { _ in Array("x".utf8) } }
        #expect(throws: SafeFile.Refused.self) { try SafeFile.append(file) { _ in Array("x".utf8) } }
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "a\nb\n")
    }

    @Test("a world-writable directory without the sticky bit is refused; with it, it is used")
    func sharedDirectory() throws {
        let open = dir + "/open"
        try FileManager.default.createDirectory(atPath: open, withIntermediateDirectories: false)
        chmod(open, 0o777)
        let error = #expect(throws: SafeFile.Refused.self) { try SafeFile.replace(open + "/x", with: [1]) }
        #expect(
            error?.description == "cannot write \(open)/x: directory \(open) is writable by other users and not sticky")
        chmod(open, 0o1777)
        try SafeFile.replace(open + "/x", with: [1])
        #expect(FileManager.default.fileExists(atPath: open + "/x"))
    }

    @Test("symlinked directories of one's own are followed; a missing directory says so")
    func directories() throws {
        try FileManager.default.createDirectory(atPath: dir + "/real", withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(atPath: dir + "/alias", withDestinationPath: "real")
        try SafeFile.replace(dir + "/alias/../alias/f", with: [1, 2])
        #expect(FileManager.default.fileExists(atPath: dir + "/real/f"))
        let error = #expect(throws: SafeFile.Refused.self) { try SafeFile.checkDirectory(dir + "/nope/f") }
        #expect(error?.missing == true)
    }

    @Test("an uncommitted AtomicWriter leaves nothing behind; a created file's mode is 0666 minus the umask")
    func atomicWriter() throws {
        do {
            let w = try SafeFile.AtomicWriter(dir + "/rec")
            try w.write([1, 2, 3])
            #expect(entries().count == 1 && entries()[0].hasPrefix(".rec.") && entries()[0].hasSuffix(".tmp"))
        }
        #expect(entries().isEmpty)
        let old = umask(0o027)
        defer { umask(old) }
        try SafeFile.replace(dir + "/m", with: [1])
        #expect(try FileManager.default.attributesOfItem(atPath: dir + "/m")[.posixPermissions] as? Int == 0o640)
    }

    @Test("a FIFO is written in place by replace, append and AtomicWriter, never replaced by a file")
    func fifo() throws {
        let fifo = dir + "/pipe"
        #expect(mkfifo(fifo, 0o600) == 0)
        func read(_ write: () throws -> Void) throws -> String {
            let reader = Reader(fifo)
            try write()
            return reader.finish()
        }
        #expect(try read { try SafeFile.replace(fifo, with: Array("one".utf8)) } == "one")
        var seen: SafeFile.Existing?
        let two = try read {
            try SafeFile.append(fifo) { e in
                seen = e
                return Array("two".utf8)
            }
        }
        #expect(two == "two" && seen?.inPlace == true && seen?.size == 0 && seen?.head.isEmpty == true)
        #expect(
            try read {
                let w = try SafeFile.AtomicWriter(fifo)
                try w.write(Array("thr".utf8))
                try w.write(Array("ee".utf8))
                try w.commit()
            } == "three")
        #expect(try SafeFile.head(fifo) == nil)
        try SafeFile.checkDirectory(fifo)
        var st = stat()
        #expect(lstat(fifo, &st) == 0 && st.st_mode & S_IFMT == S_IFIFO)
        #expect(entries() == ["pipe"])
    }

    @Test("a Unix socket gets the bytes through a connection; -, /dev/stdout and /dev/fd/N are descriptors")
    func socketAndStreams() throws {
        let path = dir + "/sock"
        let s = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(s) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, c) in path.utf8.enumerated() where i < raw.count - 1 { raw[i] = c }
        }
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(s, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        #expect(bound == 0 && listen(s, 1) == 0)
        try SafeFile.replace(path, with: Array("over a socket".utf8))
        let c = accept(s, nil, nil)
        #expect(c >= 0)
        var buf = [UInt8](repeating: 0, count: 64)
        let n = recv(c, &buf, buf.count, 0)
        close(c)
        #expect(n > 0 && Array(buf[..<n]) == Array("over a socket".utf8))

        #expect(SafeFile.isStandardOutput("-") && SafeFile.isStandardOutput("/dev/stdout"))
        #expect(!SafeFile.isStandardOutput("./-") && !SafeFile.isStandardStream("/dev/fd/x"))
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        try SafeFile.replace("/dev/fd/\(fds[1])", with: Array("fd".utf8))
        close(fds[1])
        let m = read(fds[0], &buf, buf.count)
        close(fds[0])
        #expect(m == 2 && Array(buf[..<2]) == Array("fd".utf8))
    }
}

/// Reads a FIFO (or pipe) to its end on another thread.
final class Reader: @unchecked Sendable {
    private var text = ""
    private let done = DispatchSemaphore(value: 0)

    init(_ path: String) {
        Thread.detachNewThread { [self] in
            if let h = FileHandle(forReadingAtPath: path) {
                text = String(decoding: h.readDataToEndOfFile(), as: UTF8.self)
            }
            done.signal()
        }
    }

    func finish() -> String {
        _ = done.wait(timeout: .now() + 10)
        return text
    }
}
