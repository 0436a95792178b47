import Foundation
import Testing
import ThiefCore

/// Thieves identified: competitors started the way a user would (nice,
/// chrt, taskset, a cgroup of their own) are reported with the policy,
/// nice, RT priority, CPUs and cgroup the kernel's own books give them.
@Suite(
    "Live eBPF: thieves identified", .serialized,
    .enabled(if: Live.enabled, "live eBPF tests need root and /sys/kernel/btf/vmlinux"))
struct LiveIdentityTests {
    /// What /proc says of a task: policy, nice, RT priority (stat fields 41,
    /// 19, 40), Cpus_allowed_list and the v2 cgroup (the `0::` line).
    struct Books: Equatable, CustomStringConvertible {
        var policy: String
        var nice: Int
        var rtPriority: Int
        var cpus: String
        var cgroup: String
        var description: String { "\(policy) nice \(nice) rt \(rtPriority) cpus \(cpus) cgroup \(cgroup)" }

        static let policies = [0: "normal", 1: "fifo", 2: "rr", 3: "batch", 5: "idle", 6: "deadline", 7: "ext"]

        init?(pid: Int32) {
            guard let stat = ProcFS.read("/proc/\(pid)/stat"), let close = stat.lastIndex(of: ")"),
                let cpus = ProcFS.status(pid)?["Cpus_allowed_list"],
                let cg = ProcFS.read("/proc/\(pid)/cgroup")?.split(separator: "\n").first(where: { $0.hasPrefix("0::") }
                )
            else { return nil }
            // Fields after the comm: field N is at index N - 3.
            let f = stat[stat.index(after: close)...].split(separator: " ")
            guard f.count > 38, let nice = Int(f[16]), let rt = Int(f[37]), let p = Int(f[38]) else { return nil }
            policy = Self.policies[p] ?? "?"
            self.nice = nice
            rtPriority = rt
            self.cpus = cpus
            cgroup = String(cg.dropFirst(3))
        }

        init(_ t: [String: Any]) {
            policy = t["policy"] as? String ?? "absent"
            nice = (t["nice"] as? NSNumber)?.intValue ?? -99
            rtPriority = (t["rt_priority"] as? NSNumber)?.intValue ?? -1
            cpus = t["cpus_allowed"] as? String ?? "absent"
            cgroup = t["cgroup"] as? String ?? "absent"
        }
    }

    /// A competitor on CPU 0, and what it must be reported as.
    struct Competitor {
        let name: String
        let child: Child
        let expected: (policy: String, nice: Int, rt: Int, cpus: String)
    }

    static func competitors(cgroup: CgroupV2) throws -> [Competitor] {
        let w = Live.workloads
        let spin = ["spin", "--cpu", "0", "--seconds", "30"]
        // SCHED_FIFO on CPU 0 would starve it: 2 ms bursts every 20 ms instead.
        let fifo = ["periodic", "--cpu", "0", "--burst-ms", "2", "--period-ms", "20", "--seconds", "30"]
        // The batch one moves itself into a cgroup of its own first.
        let inCgroup = "echo $$ > '\(cgroup.directory)/cgroup.procs' && exec /usr/bin/chrt -b 0 '\(w)' "
        return [
            Competitor(
                name: "id-nice",
                child: try Child(["-n", "7", w] + spin + ["--name", "id-nice"], executable: "/usr/bin/nice"),
                expected: ("normal", 7, 0, "0")),
            Competitor(
                name: "id-batch",
                child: try Child(
                    ["-c", inCgroup + (spin + ["--name", "id-batch"]).joined(separator: " ")], executable: "/bin/sh"),
                expected: ("batch", 0, 0, "0")),
            Competitor(
                name: "id-fifo",
                // Pinned before it is real-time: starting (~12 ms) as FIFO on any
                // CPU starved the worst-waits test's victim on CPU 1 beside it.
                child: try Child(
                    ["-c", "0", "/usr/bin/chrt", "-f", "1", w] + fifo + ["--name", "id-fifo"],
                    executable: "/usr/bin/taskset"),
                expected: ("fifo", 0, 1, "0")),
            // Pinned by taskset, not by the workload itself.
            Competitor(
                name: "id-taskset",
                child: try Child(
                    ["-c", "0", w, "spin", "--seconds", "30", "--name", "id-taskset"], executable: "/usr/bin/taskset"),
                expected: ("normal", 0, 0, "0")),
        ]
    }

    @Test(
        "nice, chrt -b, chrt -f and taskset competitors: policy, nice, rt_priority, cpus_allowed, cgroup as /proc says")
    func competitorsIdentified() throws {
        try Live.require()
        // RT throttling keeps the machine alive whatever the FIFO spinner does.
        let rt = ProcFS.read("/proc/sys/kernel/sched_rt_runtime_us").flatMap {
            Int($0.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        print("sched_rt_runtime_us: \(rt.map(String.init) ?? "?") (the FIFO competitor runs 2 ms in 20 ms)")
        let cg = try LiveTests.TestCgroup()
        let victim = try Child.workload(["spin", "--name", "id-victim", "--cpu", "0", "--seconds", "30"])
        defer { victim.end() }
        let competitors = try Self.competitors(cgroup: cg.cgroup)
        defer { competitors.forEach { $0.child.end() } }
        // Each must be what it will be reported as before its first steal:
        // the workloads pin themselves once started, the batch one joins its cgroup.
        let settled = Date().addingTimeInterval(10)
        var seen: [Books?] = []
        repeat {
            sleepSeconds(0.1)
            seen = competitors.map { Books(pid: $0.child.pid) }
        } while Date() < settled
            && zip(competitors, seen).contains(where: { c, b in
                b?.cpus != c.expected.cpus || ProcFS.comm(pid: c.child.pid, tid: nil) != c.name
                    || (c.name == "id-batch" && b?.cgroup != cg.cgroup.path)
            })
        let books = try zip(competitors, seen).map { c, b in try #require(b, "no /proc books of \(c.name)") }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ident-\(UUID().uuidString).thief")
            .path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let thief = try ThiefRun(["-p", "\(victim.pid)", "-d", "2s", "--format", "json", "--record", file])
        #expect(thief.wait() == 0, "\(thief.stderr)")
        let r = try thief.report()
        let thieves = r.list("thieves")

        for (c, kernel) in zip(competitors, books) {
            let entry = try #require(
                thieves.first { ($0["pid"] as? NSNumber)?.int32Value == c.child.pid }, "\(c.name) not among the thieves"
            )
            let reported = Books(entry)
            print("IDENTITY \(c.name) | thief \(reported) | /proc \(kernel)")
            #expect(reported == kernel, "\(c.name): thief says \(reported), /proc says \(kernel)")
            #expect(reported.policy == c.expected.policy && reported.nice == c.expected.nice)
            #expect(reported.rtPriority == c.expected.rt && reported.cpus == c.expected.cpus)
            agreement("identity", "\(c.name) nice", thief: Double(reported.nice), kernel: Double(kernel.nice))
            agreement(
                "identity", "\(c.name) rt_priority", thief: Double(reported.rtPriority),
                kernel: Double(kernel.rtPriority))
        }
        #expect(books[1].cgroup == cg.cgroup.path, "the batch competitor is in the test's cgroup")
        #expect(Books(try #require(thieves.first { $0["comm"] as? String == "id-batch" })).cgroup == cg.cgroup.path)

        // A kworker's work functions are named from kallsyms (root reads real
        // addresses), and run inside the kworker's own stolen time.
        for t in thieves {
            let work = t["work"] as? [[String: Any]] ?? []
            guard !work.isEmpty else { continue }
            var sum = 0.0
            for w in work {
                let f = w["function"] as? String ?? ""
                sum += (w["total_ns"] as? NSNumber)?.doubleValue ?? 0
                #expect(!f.isEmpty && !f.hasPrefix("0x"), "unsymbolized work function \(f)")
            }
            let stolen = (t["stolen_ns"] as? NSNumber)?.doubleValue ?? 0
            let comm = t["comm"] as? String ?? ""
            print("WORK [\(comm)] \(work.map { $0["function"] as? String ?? "" }.joined(separator: ", "))")
            agreement(
                "identity", "[\(comm)] work items' time vs its stolen time (upper bound)", thief: sum, kernel: stolen)
            #expect(sum <= stolen * 1.01 + 50_000, "[\(comm)]: its work items took longer than its runs")
        }

        // The recording names them the same, byte for byte.
        let replay = try ThiefRun(["report", file, "--format", "json"])
        #expect(replay.wait() == 0)
        #expect(replay.stdout == thief.stdout, "the replay differs from the live report")
    }
}
