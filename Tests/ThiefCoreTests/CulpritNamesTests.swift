import CThiefABI
import Foundation
import Testing
import ThiefReport

@testable import ThiefCore

/// Names read outside the event stream: cgroup paths from a hostile file
/// tree, kernel symbols read once, and the trailer that carries them.
@Suite("Culprit names")
struct CulpritNamesTests {
    /// A scratch directory tree, removed at the end.
    final class Tree {
        let root: String
        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("thief-cg-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(atPath: root) }

        @discardableResult
        func mkdir(_ rel: String) throws -> UInt64 {
            try FileManager.default.createDirectory(atPath: root + rel, withIntermediateDirectories: true)
            return inode(rel)
        }

        func inode(_ rel: String) -> UInt64 {
            var st = stat()
            return lstat(root + rel, &st) == 0 ? UInt64(st.st_ino) : 0
        }
    }

    @Test("directories by inode, the root as /; symlinks not followed; depth and count bounded")
    func walk() throws {
        let t = try Tree()
        let slice = try t.mkdir("/system.slice")
        let cron = try t.mkdir("/system.slice/cron.service")
        let outside = try Tree()
        let secret = try outside.mkdir("/secret")
        try FileManager.default.createSymbolicLink(atPath: t.root + "/link", withDestinationPath: outside.root)
        _ = FileManager.default.createFile(atPath: t.root + "/system.slice/cgroup.procs", contents: Data("1\n".utf8))
        let paths = CgroupPaths(root: t.root).paths(of: [t.inode(""), slice, cron, secret])
        #expect(paths == [t.inode(""): "/", slice: "/system.slice", cron: "/system.slice/cron.service"])

        var deep = ""
        for i in 0..<10 { deep += "/d\(i)" }
        let bottom = try t.mkdir(deep)
        let shallow = CgroupPaths(root: t.root, maxDepth: 4)
        #expect(shallow.paths(of: [bottom, try t.mkdir("/d0/d1/d2/d3")]).values.sorted() == ["/d0/d1/d2/d3"])
        let few = CgroupPaths(root: t.root, maxDirectories: 3)
        #expect(few.paths(of: (0..<100).map { UInt64($0) } + [slice, cron, bottom]).count <= 4)
    }

    @Test("one walk per batch of misses; a cgroup gone by then stays unknown; found paths stay")
    func cache() throws {
        let t = try Tree()
        let a = try t.mkdir("/a")
        let cg = CgroupPaths(root: t.root)
        #expect(cg.paths(of: [a]) == [a: "/a"])
        #expect(cg.paths(of: [a]) == [a: "/a"])
        #expect(cg.walks == 1)
        let b = try t.mkdir("/b")
        #expect(cg.paths(of: [a, b, 999_999_999]) == [a: "/a", b: "/b"])
        #expect(cg.walks == 2)
        #expect(cg.paths(of: [999_999_999]).isEmpty)
        #expect(cg.walks == 2, "a miss already walked for is not walked for again")
        try FileManager.default.removeItem(atPath: t.root + "/a")
        #expect(cg.paths(of: [a]) == [a: "/a"])
        #expect(CgroupPaths(root: nil).paths(of: [1]).isEmpty)
    }

    @Test("the namer reads kallsyms once, only when a work item needs a name; /proc only for wide masks")
    func namer() throws {
        let t = try Tree()
        let svc = try t.mkdir("/svc")
        var loads = 0
        var statusReads: [UInt32] = []
        let namer = CulpritNamer(
            cgroups: CgroupPaths(root: t.root),
            kallsyms: { _ in
                loads += 1
                return KernelSymbols(text: Array("ffffffff81000000 t vmstat_update\n".utf8))
            },
            status: {
                statusReads.append($0)
                return "0-199"
            })
        let w = Window(windowStart: W)
        w.fold(IdentityTests.steal(40, at: W + 1 * ms))
        w.fold(Record(.identity(IdentityTests.identity(40, at: W + 1 * ms, cgroup: svc))))
        w.close(at: W + 2 * ms, open: [])
        var names = namer.name(w, cpuBound: 2)
        #expect(names.cgroups == [String(svc): "/svc"] && names.symbols.isEmpty && loads == 0)
        #expect(statusReads.isEmpty)

        let w2 = Window(windowStart: W)
        w2.fold(IdentityTests.steal(41, at: W + 1 * ms, comm: "kworker/0:1"))
        w2.fold(Record(.identity(IdentityTests.identity(41, at: W + 1 * ms, cpus: (.max, .max), count: 200))))
        for f: UInt64 in [0xffff_ffff_8100_0000, 0x10] {
            w2.fold(
                Record(
                    .work(
                        WorkItem(
                            victim: 10, cpu: 0, end: W + 1 * ms, duration: 1 * us, function: f, pid: 41,
                            comm: Comm("kworker/0:1")))))
        }
        w2.close(at: W + 2 * ms, open: [])
        names = namer.name(w2, cpuBound: 128)
        names = namer.name(w2, cpuBound: 128)
        #expect(loads == 1)
        #expect(names.symbols == ["ffffffff81000000": "vmstat_update"])
        #expect(names.cpusAllowed == ["41": "0-199"] && statusReads == [41])
        var m = meta()
        m.culprits = names
        let thief = try #require(w2.report(m).thieves.first)
        #expect(thief.cpusAllowed == "0-199")
        #expect(thief.work?.map(\.function).sorted() == ["0x10", "vmstat_update"])
    }

    @Test("the trailer carries the names; a replay uses them; older trailers have none")
    func trailer() throws {
        var trailer = RunTrailer(
            end: W + 100 * ms, endReason: "duration", exitStatus: nil, lostEvents: 0, missedSwitchEvents: 0,
            open: [], untouched: [:], names: [:])
        let old = try JSONDecoder().decode(RunTrailer.self, from: JSONEncoder().encode(trailer))
        #expect(old.culprits == nil)
        trailer.culprits = GoldenScenario.culprits
        let back = try JSONDecoder().decode(RunTrailer.self, from: JSONEncoder().encode(trailer))
        #expect(back.culprits == GoldenScenario.culprits)
        #expect(try JSONDecoder().decode(CulpritNames.self, from: Data("{}".utf8)) == CulpritNames())

        var header = RunHeader(
            version: "0.1.0", host: "h", kernel: "k", pid: 1000, comm: "victim", command: nil, runStart: W,
            startEpochNs: 0, attach: "tp_btf", programs: 1, seeds: [], onlineCPUs: [0, 1, 2, 3])
        header.abiVersion = Record.abiVersion
        let bytes = GoldenScenario.records.flatMap { r in withUnsafeBytes(of: r) { Array($0) } }
        let withNames = Replay.reports(.init(header: header, records: bytes, trailer: back), interval: nil)
        let stress = try #require(withNames.last?.thieves.first { $0.pid == 2000 })
        #expect(stress.cgroup == "/system.slice/stress.service" && stress.cpusAllowed == "0-3")
        let kworker = try #require(withNames.last?.thieves.first { $0.pid == 55 })
        #expect(kworker.work?.first?.function == "vmstat_update")
        let without = Replay.reports(.init(header: header, records: bytes, trailer: old), interval: nil)
        #expect(without.last?.thieves.first { $0.pid == 2000 }?.cgroup == "id:4242")
    }

    @Test("text: POLICY and NI columns, RT as fifo/N; thieves past the rows grouped by command")
    func text() throws {
        let a = Window(windowStart: W)
        // 20 big thieves, then 30 short-lived `date` processes and 2 of `sh`.
        for i in UInt32(0)..<20 { a.fold(IdentityTests.steal(100 + i, at: W + 50 * ms, comm: "big")) }
        for i in UInt32(0)..<30 {
            a.fold(
                Record(
                    kind: .steal, ts: W + 10 * ms, start: W + 10 * ms - 10 * us, dur: 10 * us, tid: 10, tgid: 10,
                    otherPid: 1000 + i, otherTgid: 1000 + i, comm: "date"))
        }
        for i in UInt32(0)..<2 {
            a.fold(
                Record(
                    kind: .steal, ts: W + 10 * ms, start: W + 10 * ms - 5 * us, dur: 5 * us, tid: 10, tgid: 10,
                    otherPid: 2000 + i, otherTgid: 2000, comm: "sh"))
        }
        a.fold(Record(.identity(IdentityTests.identity(100, at: W + 50 * ms, policy: .fifo, rt: 1))))
        a.fold(Record(.identity(IdentityTests.identity(101, at: W + 50 * ms, nice: 7))))
        a.close(at: W + 100 * ms, open: [])
        let text = TextRenderer.render(a.report(meta()))
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.contains("POLICY") && $0.contains(" NI ") })
        #expect(lines.contains { $0.contains("100     100  big              fifo/1       -") })
        #expect(lines.contains { $0.contains("101     101  big              normal       7") })
        #expect(lines.contains { $0.contains("102     102  big              -            -") })
        #expect(lines.contains("   date ×30 processes 300.0us"))
        #expect(lines.contains("   sh ×1 process 10.0us"))
        #expect(lines.contains("   … and 32 more (see --format json)"))
    }
}
