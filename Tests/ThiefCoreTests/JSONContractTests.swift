import Foundation
import Testing
import ThiefCore
import ThiefReport

/// The JSON report contract (design.md section 4, schema 1).
@Suite("JSON contract")
struct JSONContractTests {
    static func object() throws -> (text: String, root: [String: Any]) {
        let text = try JSONRenderer.render(GoldenScenario.report())
        let any = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return (text, try #require(any as? [String: Any]))
    }

    /// The value at a dotted path such as "window.start_ns".
    static func value(_ path: String, in root: [String: Any]) -> Any? {
        var cur: Any? = root
        for key in path.split(separator: ".") {
            cur = (cur as? [String: Any])?[String(key)]
        }
        return cur
    }

    static func integer(_ v: Any?) -> Int64? {
        if let n = v as? Int64 { return n }
        if let n = v as? Int { return Int64(n) }
        if let n = v as? UInt64 { return Int64(n) }
        if let n = v as? NSNumber, !(v is Bool) { return n.int64Value }
        return nil
    }

    @Test("round trip: decode(render(r)) == r")
    func roundTrip() throws {
        let r = GoldenScenario.report()
        let text = try JSONRenderer.render(r)
        #expect(try JSONRenderer.decode(Data(text.utf8)) == r)

        // With the optional fields present and a lost-events count too.
        var r2 = r
        r2.target.command = ["stress-ng", "--cpu", "1"]
        r2.target.exitStatus = 137
        r2.lostEvents = 12
        #expect(try JSONRenderer.decode(Data(JSONRenderer.render(r2).utf8)) == r2)
    }

    @Test("the top-level keys and their values")
    func topLevel() throws {
        let (text, root) = try Self.object()
        #expect(Self.integer(root["schema"]) == 1)
        #expect(root["tool"] as? String == "thief")
        #expect(root["version"] as? String == "0.1.0")
        #expect(root["host"] as? String == "testhost")
        #expect(root["kernel"] as? String == "6.18.0-test")
        #expect(Self.integer(root["lost_events"]) == 0)
        #expect(text.hasSuffix("}\n"))
        for key in [
            "schema", "tool", "version", "host", "kernel", "target", "window", "migrations", "on_core",
            "off_core", "runnable_wait", "thieves", "irqs", "softirqs", "lost_events",
        ] {
            #expect(root[key] != nil, "missing key \(key)")
        }
    }

    @Test(
        "numeric paths",
        arguments: [
            ("target.pid", Int64(1000)),
            ("window.start_ns", 1_000_000_000_000),
            ("window.end_ns", 1_000_100_000_000),
            ("window.duration_ns", 100_000_000),
            ("migrations.count", 4),
            ("on_core.total_ns", 90_990_000),
            ("on_core.count", 8),
            ("on_core.p50_ns", 10_002_431),
            ("on_core.p99_ns", 17_990_000),
            ("on_core.max_ns", 17_990_000),
            ("off_core.total_ns", 39_000_000),
            ("off_core.count", 7),
            ("off_core.by_state.preempted.total_ns", 9_000_000),
            ("off_core.by_state.sleeping.total_ns", 20_000_000),
            ("off_core.by_state.blocked.total_ns", 5_000_000),
            ("runnable_wait.total_ns", 11_700_000),
        ])
    func numbers(path: String, expected: Int64) throws {
        let (_, root) = try Self.object()
        #expect(Self.integer(Self.value(path, in: root)) == expected, "\(path)")
    }

    @Test("target")
    func target() throws {
        let (_, root) = try Self.object()
        #expect(Self.value("target.comm", in: root) as? String == "victim")
        let threads = try #require(Self.value("target.threads", in: root) as? [[String: Any]])
        #expect(threads.count == 2)
        #expect(threads.compactMap { Self.integer($0["tid"]) } == [1000, 1001])
    }

    @Test("on_core.hist entries have low_ns, high_ns, count")
    func hist() throws {
        let (_, root) = try Self.object()
        let hist = try #require(Self.value("on_core.hist", in: root) as? [[String: Any]])
        #expect(hist.count == 3)
        for b in hist {
            #expect(Self.integer(b["low_ns"]) != nil)
            #expect(Self.integer(b["high_ns"]) != nil)
            #expect(Self.integer(b["count"]) != nil)
        }
        #expect(Self.integer(hist[1]["low_ns"]) == 8_192_000)
        #expect(Self.integer(hist[1]["high_ns"]) == 16_384_000)
        #expect(Self.integer(hist[1]["count"]) == 6)
    }

    @Test("off_core.by_state has preempted, sleeping, blocked as objects")
    func byState() throws {
        let (_, root) = try Self.object()
        for s in ["preempted", "sleeping", "blocked"] {
            let o = try #require(Self.value("off_core.by_state.\(s)", in: root) as? [String: Any], "\(s)")
            #expect(Self.integer(o["total_ns"]) != nil)
            #expect(Self.integer(o["count"]) != nil)
        }
    }

    @Test("thieves entries: pid, tgid, comm, count, stolen_ns, max_ns, kthread (boolean)")
    func thieves() throws {
        let (text, root) = try Self.object()
        let thieves = try #require(root["thieves"] as? [[String: Any]])
        #expect(thieves.count == 2)
        let t = thieves[0]
        #expect(Self.integer(t["pid"]) == 2000)
        #expect(Self.integer(t["tgid"]) == 2000)
        #expect(t["comm"] as? String == "stress")
        #expect(Self.integer(t["count"]) == 3)
        #expect(Self.integer(t["stolen_ns"]) == 7_000_000)
        #expect(Self.integer(t["max_ns"]) == 3_000_000)
        #expect(t["kthread"] as? Bool == false)
        #expect(thieves[1]["kthread"] as? Bool == true)
        #expect(thieves[1]["comm"] as? String == "kworker/1:2")
        // JSON booleans, not 0/1
        #expect(text.contains("\"kthread\" : true"))
        #expect(text.contains("\"kthread\" : false"))
    }

    @Test("irqs entries: irq, name, count, total_ns, min_ns, avg_ns, max_ns")
    func irqs() throws {
        let (_, root) = try Self.object()
        let irqs = try #require(root["irqs"] as? [[String: Any]])
        #expect(irqs.count == 1)
        let i = irqs[0]
        #expect(Self.integer(i["irq"]) == 42)
        #expect(i["name"] as? String == "nvme0q1")
        #expect(Self.integer(i["count"]) == 2)
        #expect(Self.integer(i["total_ns"]) == 8_000)
        #expect(Self.integer(i["min_ns"]) == 3_000)
        #expect(Self.integer(i["avg_ns"]) == 4_000)
        #expect(Self.integer(i["max_ns"]) == 5_000)
    }

    @Test("softirqs entries: vector, count, total_ns, min/avg/max")
    func softirqs() throws {
        let (_, root) = try Self.object()
        let soft = try #require(root["softirqs"] as? [[String: Any]])
        #expect(soft.compactMap { $0["vector"] as? String } == ["NET_RX", "TIMER"])
        let timer = soft[1]
        #expect(Self.integer(timer["count"]) == 3)
        #expect(Self.integer(timer["total_ns"]) == 6_000)
        #expect(Self.integer(timer["min_ns"]) == 1_000)
        #expect(Self.integer(timer["avg_ns"]) == 2_000)
        #expect(Self.integer(timer["max_ns"]) == 3_000)
        #expect(timer["irq"] == nil)
    }
}
