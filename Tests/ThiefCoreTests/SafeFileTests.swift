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
}
