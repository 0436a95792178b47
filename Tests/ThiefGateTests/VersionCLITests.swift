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
        // A commit of this repository (when git can say). Not necessarily HEAD:
        // SwiftPM re-runs the plugin only when it re-plans the build, so a
        // commit that changed no source keeps the previous one.
        let commit = String(match.2.prefix(12))
        if commit != "unknown", Self.git(["rev-parse", "HEAD"]) != nil {
            let known = Self.git(["rev-parse", "--verify", "--quiet", commit + "^{commit}"])
            #expect(known?.hasPrefix(commit) == true, "built from \(match.2), which git does not know here")
        }
    }

    /// `git ARGS` in the checkout the tests run in: its output, or nil
    /// without git or on failure.
    static func git(_ args: [String]) -> String? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        p.arguments = ["-C", FileManager.default.currentDirectoryPath] + args
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
