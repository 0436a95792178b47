import Foundation
import Testing
import ThiefCore

/// `thief --version` as a user runs it: the built binary.
@Suite("Version CLI")
struct VersionCLITests {
    @Test("--version prints the release, the commit it was built from and the record ABI")
    func versionLine() throws {
        let out = try GateCLITests.run(["--version"])
        #expect(out.code == 0)
        #expect(out.stderr.isEmpty)
        let pattern = /^thief (\S+) \(commit ([0-9a-f]{12}(?:-dirty)?|unknown), record ABI (\d+)\)\n$/
        let match = try #require(out.stdout.wholeMatch(of: pattern), "got \(out.stdout.debugDescription)")
        #expect(String(match.1) == ThiefVersion.current)
        #expect(Int(match.3) == Record.abiVersion)
        // Built from this checkout: the commit is its HEAD (when git can say).
        if let head = Self.gitHead() {
            #expect(match.2.hasPrefix(head), "built from \(match.2), checkout at \(head)")
        }
    }

    /// HEAD of the checkout the tests run in, 12 hex digits; nil without git.
    static func gitHead() -> String? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        p.arguments = ["-C", FileManager.default.currentDirectoryPath, "rev-parse", "--short=12", "HEAD"]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
