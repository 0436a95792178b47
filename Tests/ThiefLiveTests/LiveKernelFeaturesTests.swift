import Foundation
import Testing
import ThiefCore

/// The kernel's features, probed at start: what is missing is listed in
/// tracer.unavailable (checked here against the kernel's BTF as bpftool
/// dumps it), and below the floor thief refuses in one line. The refusal
/// and the unavailable paths run on this kernel, which has everything,
/// through THIEF_TEST_NO_FEATURE (test-only: the probe reports those absent).
extension LiveTests {
    /// Does the kernel's BTF name this member? (bpftool's raw dump: "'NAME' type_id=…").
    static func btfHasMember(_ name: String) throws -> Bool {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/sbin/bpftool")
        p.arguments = ["btf", "dump", "file", "/sys/kernel/btf/vmlinux", "format", "raw"]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self).contains("'\(name)' type_id=")
    }

    @Test("tracer.unavailable lists what this kernel's BTF lacks, and a cause forced absent is null, never 0")
    func unavailableFromTheKernel() throws {
        try Live.require()
        let victim = try Child.workload(["spin", "--name", "feat", "--seconds", "30"])
        defer { victim.end() }
        let thief = try ThiefRun(["-p", "\(victim.pid)", "-d", "300ms", "--format", "json"])
        #expect(thief.wait() == 0)
        let r = try thief.report()
        let listed = ((r["tracer"] as? [String: Any])?["unavailable"] as? [[String: Any]] ?? []).compactMap {
            $0["what"] as? String
        }
        #expect(
            listed.contains("runnable_wait.by_cause.throttled_ns")
                == !(try Self.btfHasMember("throttled_clock_self_time")))
        #expect(listed.contains("runnable_wait.by_cause.steal_ns") == !(try Self.btfHasMember("prev_steal_time")))

        let forced = try ThiefRun(
            ["-p", "\(victim.pid)", "-d", "300ms", "--format", "json"],
            environment: ["THIEF_TEST_NO_FEATURE": "throttled,steal"])
        #expect(forced.wait() == 0)
        let f = try JSONSerialization.jsonObject(with: Data(forced.stdout.utf8)) as? [String: Any] ?? [:]
        let causes = (f["runnable_wait"] as? [String: Any])?["by_cause"] as? [String: Any] ?? [:]
        #expect(causes["throttled_ns"] is NSNull)
        #expect(causes["steal_ns"] is NSNull)
        let sum = causes.values.compactMap { ($0 as? NSNumber)?.doubleValue }.reduce(0, +)
        #expect(sum == f.num("runnable_wait.total_ns"), "the measured causes still sum to the wait")
        let gone = (f["tracer"] as? [String: Any])?["unavailable"] as? [[String: Any]] ?? []
        #expect(gone.count == 2)
        let text = try ThiefRun(
            ["-p", "\(victim.pid)", "-d", "300ms"], environment: ["THIEF_TEST_NO_FEATURE": "throttled"])
        #expect(text.wait() == 0)
        #expect(text.stdout.contains("n/a on this kernel: runnable_wait.by_cause.throttled_ns"))
    }

    @Test(
        "below the floor (no ring buffer, no BPF atomics, no BTF): one line naming it, this kernel and the version, exit 2",
        arguments: [
            ("ringbuf", "the BPF ring buffer", "Linux 5.8"), ("atomics", "BPF atomic operations", "Linux 5.12"),
            ("btf", "BTF type information", "Linux 5.4"),
        ])
    func floor(feature: String, what: String, since: String) throws {
        try Live.require()
        let thief = try ThiefRun(
            ["-d", "1s", "--", "/bin/true"], environment: ["THIEF_TEST_NO_FEATURE": feature])
        #expect(thief.wait() == 2)
        let lines = thief.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(thief.stderr)")
        let line = String(lines.first ?? "")
        #expect(line.contains(what) && line.contains(since), "\(line)")
        let release = (ProcFS.read("/proc/sys/kernel/osrelease") ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(line.contains("this kernel (\(release))"), "\(line)")
    }
}
