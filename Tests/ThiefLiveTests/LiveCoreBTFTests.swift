import Foundation
import Testing

/// thief hands libbpf a small BTF of its own making for the object's CO-RE
/// relocations (Sources/CThiefBPF/core_btf.c), and the tp_btf programs'
/// attach ids from its own read of the kernel's BTF, so that the load never
/// parses the kernel's BTF again. THIEF_TEST_CORE_CHECK (test-only) loads the
/// object a second time the way libbpf does it alone and compares every
/// loaded program's instructions and every attach id: any difference ends
/// the run with exit 2 and names the program.
extension LiveTests {
    @Test(
        "the small BTF relocates every program as the kernel's whole BTF does, and the attach ids are libbpf's",
        arguments: [
            ([], "tp_btf"), (["--attach", "raw_tp"], "raw_tp"), (["--no-irqs"], "tp_btf"),
            (["--attach", "raw_tp", "--no-irqs"], "raw_tp"),
        ])
    func coreRelocationsAlike(options: [String], kind: String) throws {
        try Live.require()
        let thief = try ThiefRun(
            options + ["-d", "200ms", "--format", "json", "--", "/bin/true"],
            environment: ["THIEF_TEST_CORE_CHECK": "1"])
        #expect(thief.wait() == 0, "\(thief.stderr)")
        let checked = thief.stderr.split(separator: "\n").first { $0.contains("core check:") } ?? ""
        let count = checked.split(separator: " ").compactMap { Int($0) }.first ?? 0
        #expect(count > 0, "\(thief.stderr)")
        // Every program the run attached was compared.
        #expect(thief.stderr.contains("via \(kind) (\(count) programs)"), "\(thief.stderr)")
    }
}
