import Foundation
import Testing
import ThiefCore

/// `--cgroup SPEC` as users type it, against a made-up hierarchy (a cgroup2
/// mount at a scratch directory, in a mountinfo text): no root needed.
@Suite("CgroupV2.resolve")
final class CgroupV2Tests {
    let root: String
    let mountinfo: String

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("thief-cg-\(UUID().uuidString)").path
        for d in ["v2/x/y", "v1cpu/limited"] {
            try FileManager.default.createDirectory(atPath: "\(root)/\(d)", withIntermediateDirectories: true)
        }
        for d in ["v2", "v2/x", "v2/x/y", "v1cpu", "v1cpu/limited"] {
            _ = FileManager.default.createFile(atPath: "\(root)/\(d)/cgroup.procs", contents: nil)
        }
        mountinfo = """
            32 31 0:29 / \(root)/v1cpu rw,relatime - cgroup cgroup rw,cpu
            41 31 0:38 / \(root)/v2 rw,relatime - cgroup2 cgroup2 rw
            """
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    @Test("./x and x/./y are x and x/y (it showed as /./x); a pasted 0::/x line is /x")
    func normalised() throws {
        #expect(try CgroupV2.resolve("./x", mountinfo: mountinfo).path == "/x")
        #expect(try CgroupV2.resolve("x/./y", mountinfo: mountinfo).path == "/x/y")
        #expect(try CgroupV2.resolve("0::/x/y", mountinfo: mountinfo).path == "/x/y")
        #expect(try CgroupV2.resolve("0::/x/y", mountinfo: mountinfo).level == 2)
        #expect(try CgroupV2.resolve("\(root)/v2/x", mountinfo: mountinfo).path == "/x")
    }

    @Test("a v1 directory or a v1 line of /proc/PID/cgroup: one line that says so and what to do")
    func v1() throws {
        let dir = #expect(throws: CgroupV2.Invalid.self) {
            try CgroupV2.resolve("\(root)/v1cpu/limited", mountinfo: mountinfo)
        }
        #expect(
            dir?.description.contains("cgroup v1 hierarchy mounted at \(root)/v1cpu") == true,
            "\(String(describing: dir))")
        #expect(dir?.description.contains("cgroup.procs") == true)
        let line = #expect(throws: CgroupV2.Invalid.self) {
            try CgroupV2.resolve("4:cpu:/limited", mountinfo: mountinfo)
        }
        #expect(line?.description.contains("cgroup v1 line") == true && line?.description.contains("0::") == true)
    }
}
