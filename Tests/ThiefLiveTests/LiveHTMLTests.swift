import Foundation
import Testing

/// The HTML report in a real browser (Debian's chromium, headless): a
/// screenshot that is not blank, SVG charts and the JSON's totals in the
/// DOM, and no request leaving the page (Chromium's net log).
extension LiveTests {
    static let chromium = "/usr/bin/chromium"
    /// Chromium's own background traffic (updates, accounts, time): not the page's.
    static let chromiumOwnHosts = ["google.com/", "googleapis.com/", "gvt1.com/", "gstatic.com/"]

    /// Runs headless Chromium on a page; returns the DOM and the URLs its net log saw.
    static func browse(_ page: String, screenshot: String, dir: URL) throws -> (dom: String, urls: [String]) {
        let netlog = dir.appendingPathComponent("net-\(UUID().uuidString).json").path
        let flags = [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-default-apps",
            "--no-pings", "--log-net-log=\(netlog)", "--window-size=1200,1600",
        ]
        func run(_ extra: [String]) throws -> String {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: chromium)
            p.arguments = flags + extra + ["file://" + page]
            let out = Pipe()
            p.standardOutput = out
            p.standardError = FileHandle.nullDevice
            try p.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            return String(decoding: data, as: UTF8.self)
        }
        _ = try run(["--screenshot=\(screenshot)"])
        let dom = try run(["--dump-dom"])
        let log = (try? String(contentsOfFile: netlog, encoding: .utf8)) ?? ""
        let urls = log.components(separatedBy: "\"url\":\"").dropFirst().compactMap { $0.split(separator: "\"").first }
            .map(String.init).filter { u in !chromiumOwnHosts.contains { u.contains($0) } && !u.hasPrefix("file:") }
        return (dom, urls)
    }

    @Test("HTML report in headless Chromium: not blank, SVG charts, the JSON's totals, no request leaves the page")
    func htmlInBrowser() throws {
        try Live.require()
        let contest = try Contest()
        let victim = contest.victim
        let scratch = try ScratchDir("html")
        let dir = scratch.url
        let page = scratch.path("report.html"), rec = scratch.path("run.thief")
        let live = try ThiefRun(["-p", "\(victim.pid)", "-d", "2s", "--format", "html", "-o", page, "--record", rec])
        #expect(live.wait() == 0, "\(live.stderr)")
        let replay = try ThiefRun(["report", rec, "--format", "json"])
        #expect(replay.wait() == 0)
        let json = try replay.report()
        guard FileManager.default.isExecutableFile(atPath: Self.chromium) else {
            // .ci/run installs Debian's chromium and sets THIEF_REQUIRE_CHROMIUM=1.
            if ProcessInfo.processInfo.environment["THIEF_REQUIRE_CHROMIUM"] == "1" {
                Issue.record("THIEF_REQUIRE_CHROMIUM=1 but \(Self.chromium) is missing")
            }
            let html = (try? String(contentsOfFile: page, encoding: .utf8)) ?? ""
            #expect(html.contains("data-ns=\"\(Int(json.num("on_core.total_ns")))\" data-key=\"on_core.total_ns\""))
            return
        }

        let png = dir.appendingPathComponent("shot.png").path
        let (dom, urls) = try Self.browse(page, screenshot: png, dir: dir)
        let size = (try? FileManager.default.attributesOfItem(atPath: png)[.size] as? Int) ?? 0
        print(
            "HTML page \(((try? FileManager.default.attributesOfItem(atPath: page)[.size] as? Int) ?? 0)) bytes, screenshot \(size) bytes"
        )
        #expect(size > 20_000, "a blank 1200x1600 PNG is a few KB")
        #expect(dom.components(separatedBy: "<svg").count - 1 >= 4)
        for key in ["on_core.total_ns", "runnable_wait.total_ns", "off_core.total_ns"] {
            #expect(dom.contains("data-ns=\"\(Int(json.num(key)))\" data-key=\"\(key)\""), "\(key) in the DOM")
        }
        #expect(urls.isEmpty, "requests from the page: \(urls)")
        // The check can fail: a page that loads an image is caught.
        let bad = dir.appendingPathComponent("bad.html").path
        try "<img src=\"http://192.0.2.1/x.png\">".write(toFile: bad, atomically: true, encoding: .utf8)
        #expect(try Self.browse(bad, screenshot: png, dir: dir).urls.contains { $0.contains("192.0.2.1") })
    }
}
