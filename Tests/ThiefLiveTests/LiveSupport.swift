import Foundation
import Testing
import ThiefCore

/// Live tests load the real eBPF tracer. They need root and the kernel's BTF;
/// elsewhere they skip with that reason. In CI (THIEF_REQUIRE_LIVE=1, set by
/// .ci/run) a missing prerequisite is a failure, never a skip.
enum Live {
    static let isRoot = geteuid() == 0
    static let hasBTF = FileManager.default.isReadableFile(atPath: "/sys/kernel/btf/vmlinux")
    static let required = ProcessInfo.processInfo.environment["THIEF_REQUIRE_LIVE"] == "1"
    static var available: Bool {
        isRoot && hasBTF && FileManager.default.isExecutableFile(atPath: binary)
            && FileManager.default.isExecutableFile(atPath: workloads)
    }
    static var enabled: Bool { available || required }

    /// The built `thief` executable, next to the test bundle (or $THIEF_BIN).
    static let binary = built("thief", override: "THIEF_BIN")

    /// The built `thief-workloads` executable (the tests' workloads; not part of
    /// the thief product), in the same build directory (or $THIEF_WORKLOADS_BIN).
    static let workloads = built("thief-workloads", override: "THIEF_WORKLOADS_BIN")

    static func built(_ name: String, override variable: String) -> String {
        if let b = ProcessInfo.processInfo.environment[variable] { return b }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent(name).path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return FileManager.default.currentDirectoryPath + "/.build/debug/" + name
    }

    struct Unavailable: Error, CustomStringConvertible {
        let description: String
    }

    /// Call first in every live test.
    static func require() throws {
        guard !available else { return }
        let why =
            !isRoot
            ? "not root"
            : !hasBTF
                ? "no /sys/kernel/btf/vmlinux"
                : !FileManager.default.isExecutableFile(atPath: binary)
                    ? "no thief binary at \(binary) (run swift build first)"
                    : "no thief-workloads binary at \(workloads) (run swift build first)"
        throw Unavailable(
            description: "live eBPF tests are required here (THIEF_REQUIRE_LIVE=1) but cannot run: \(why)")
    }
}

/// A process the test starts and controls.
final class Child {
    let process = Process()
    var pid: Int32 { process.processIdentifier }

    init(_ args: [String], executable: String = Live.binary) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = args
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    /// A test workload (`thief-workloads KIND …`), bounded by --seconds.
    /// With `--name N`, returned once the workload's main thread is named N
    /// (up to 5 s): a test that stops it a moment after the start otherwise
    /// stopped it still named thief-workloads on a loaded machine (CI, 16:52:
    /// the competitor's report comm), and every culprit name after was that.
    static func workload(_ args: [String]) throws -> Child {
        let child = try Child(args, executable: Live.workloads)
        if let i = args.firstIndex(of: "--name"), i + 1 < args.count {
            let want = String(args[i + 1].prefix(15))  // TASK_COMM_LEN - 1
            let deadline = Date().addingTimeInterval(5)
            while child.comm != want, Date() < deadline { usleep(5000) }
        }
        return child
    }

    /// /proc/PID/comm, without its newline ("" once gone).
    var comm: String {
        ((try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8)) ?? "")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func signal(_ sig: Int32) { kill(pid, sig) }
    func stop() { signal(SIGSTOP) }
    func cont() { signal(SIGCONT) }

    func end() {
        if process.isRunning {
            kill(pid, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit { end() }

    var threads: [Int32] { ProcFS.threads(of: pid) }
    func books(_ tid: Int32? = nil) -> ProcFS.SchedBooks? { ProcFS.sched(pid: pid, tid: tid ?? pid) }
}

/// A run of the thief binary with stdout/stderr captured to files.
final class ThiefRun {
    let process = Process()
    let outURL: URL
    let errURL: URL

    /// shell: run /bin/sh with args instead of thief (args name thief themselves).
    /// executable: another thief binary (a copy with file capabilities) instead of Live.binary.
    init(
        _ args: [String], user: String? = nil, environment: [String: String]? = nil, shell: Bool = false,
        executable: String = Live.binary
    ) throws {
        let dir = FileManager.default.temporaryDirectory
        let id = UUID().uuidString
        outURL = dir.appendingPathComponent("thief-\(id).out")
        errURL = dir.appendingPathComponent("thief-\(id).err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        if shell {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = args
        } else if let user {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            process.arguments =
                ["--reuid=\(user)", "--regid=nogroup", "--clear-groups", "--inh-caps=-all", executable] + args
        } else {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = args
        }
        if let environment {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        try process.run()
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: outURL)
        try? FileManager.default.removeItem(at: errURL)
    }

    var stdout: String { (try? String(contentsOf: outURL, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOf: errURL, encoding: .utf8)) ?? "" }

    /// Waits for the "thief: tracing …" line: the tracer is attached.
    func waitAttached(timeout: Double = 30) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if stderr.contains("thief: tracing") { return }
            if !process.isRunning { break }
            usleep(20_000)
        }
        throw Live.Unavailable(description: "thief did not attach; stderr: \(stderr)")
    }

    @discardableResult
    func wait(timeout: Double = 60) -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return process.terminationStatus
    }

    func interrupt() { kill(process.processIdentifier, SIGINT) }

    /// The JSON report; every live report is also checked for the books
    /// that must balance whatever the workload: the runnable wait's causes
    /// sum to its total, in the whole and for each thread, and each thread's
    /// on-core plus off-core time is its time in the window, to the ns.
    func report() throws -> [String: Any] {
        let data = Data(stdout.utf8)
        guard let obj = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw Live.Unavailable(description: "not a JSON object: \(stdout.prefix(200))")
        }
        Self.expectCausesBalance(obj)
        Self.expectThreadTimesBalance(obj)
        return obj
    }

    /// on_core_ns + off_core_ns == end_ns - start_ns for every row of
    /// target.threads (a folded row's span is its threads' summed lifetimes),
    /// and the sections' totals are the rows' sums.
    static func expectThreadTimesBalance(_ r: [String: Any]) {
        func n(_ t: [String: Any], _ key: String) -> UInt64 { (t[key] as? NSNumber)?.uint64Value ?? .max }
        var on: UInt64 = 0, off: UInt64 = 0
        for t in r.list("target.threads") {
            let (o, f, s, e) = (n(t, "on_core_ns"), n(t, "off_core_ns"), n(t, "start_ns"), n(t, "end_ns"))
            #expect(
                o &+ f == e &- s,
                "thread \(t["tid"] ?? "?") (\(t["comm"] ?? "?")): on \(o) + off \(f) = \(o &+ f), window \(e &- s)")
            on &+= o
            off &+= f
        }
        #expect(on == n(r["on_core"] as? [String: Any] ?? [:], "total_ns"), "on_core.total_ns is the threads' sum")
        #expect(off == n(r["off_core"] as? [String: Any] ?? [:], "total_ns"), "off_core.total_ns is the threads' sum")
    }

    static let causeKeys = ["tasks_ns", "targets_ns", "throttled_ns", "idle_ns", "steal_ns", "other_ns"]

    static func expectCausesBalance(_ r: [String: Any]) {
        func sum(_ c: Any?) -> Double {
            let d = c as? [String: Any] ?? [:]
            return causeKeys.reduce(0) { $0 + ((d[$1] as? NSNumber)?.doubleValue ?? .nan) }
        }
        let wait = r["runnable_wait"] as? [String: Any] ?? [:]
        #expect(sum(wait["by_cause"]) == r.num("runnable_wait.total_ns"), "causes sum to runnable_wait.total_ns")
        for t in r.list("target.threads") {
            #expect(sum(t["runnable_wait_by_cause"]) == (t["runnable_wait_ns"] as? NSNumber)?.doubleValue)
        }
    }
}

/// Typed access into the JSON report.
extension Dictionary where Key == String, Value == Any {
    func num(_ path: String) -> Double {
        var cur: Any? = self
        for part in path.split(separator: ".") {
            cur = (cur as? [String: Any])?[String(part)]
        }
        return (cur as? NSNumber)?.doubleValue ?? .nan
    }

    func list(_ key: String) -> [[String: Any]] {
        var cur: Any? = self
        for part in key.split(separator: ".") { cur = (cur as? [String: Any])?[String(part)] }
        return cur as? [[String: Any]] ?? []
    }

    func thread(_ tid: Int32) -> [String: Any]? {
        list("target.threads").first { ($0["tid"] as? NSNumber)?.int32Value == tid }
    }
}

/// |a - b| / b, for the agreement checks.
func relErr(_ a: Double, _ b: Double) -> Double {
    b == 0 ? (a == 0 ? 0 : .infinity) : abs(a - b) / b
}

/// Prints a line of the thief-vs-kernel table (kept in the test log).
func agreement(_ test: String, _ what: String, thief: Double, kernel: Double) {
    let pct = relErr(thief, kernel) * 100
    print(String(format: "AGREEMENT %@ | %@ | thief %.0f | kernel %.0f | diff %.2f%%", test, what, thief, kernel, pct))
}

func sleepSeconds(_ s: Double) { usleep(UInt32(s * 1e6)) }

/// Pins a task to one CPU with taskset(1) (util-linux), as a user would.
func pin(_ tid: Int32, cpu: Int) -> Bool {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/taskset")
    p.arguments = ["-p", "-c", "\(cpu)", "\(tid)"]
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    guard (try? p.run()) != nil else { return false }
    p.waitUntilExit()
    return p.terminationStatus == 0
}

/// A victim and a competitor spinning on one CPU (the most common scene of
/// the live tests), ended when the test lets go of it.
final class Contest {
    let victim: Child
    let competitor: Child

    init(cpu: Int = 0, names: (String, String) = ("victim", "competitor")) throws {
        victim = try Child.workload(["spin", "--name", names.0, "--cpu", "\(cpu)", "--seconds", "30"])
        competitor = try Child.workload(["spin", "--name", names.1, "--cpu", "\(cpu)", "--seconds", "30"])
    }

    deinit {
        victim.end()
        competitor.end()
    }
}

/// A directory for one test's files, removed with it.
final class ScratchDir {
    let url: URL

    init(_ name: String) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("thief-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ file: String) -> String { url.appendingPathComponent(file).path }
}
