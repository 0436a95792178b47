import FoundationEssentials
import Glibc
import ThiefCore
import ThiefReport

/// Writes one capture directory: the recording, the reports rebuilt from it
/// exactly as `thief report capture.thief` does (JSON, text opening with the
/// trigger, HTML), the Perfetto trace `thief report --format perfetto` would
/// write, and trigger.json; renamed into place only when all are written.
struct CaptureWriter {
    let store: CaptureDirectory

    func write(_ contents: TraceFile.Contents, trigger: CaptureTrigger, name: String) throws -> CaptureDirectory.Made {
        var trigger = trigger
        if let w = trigger.wait { trigger.breakdown = CaptureAssembler.breakdown(contents, tid: w.tid, end: w.endNs) }
        let bytes = try TraceFile.encode(contents)
        // The report of the file as written: what `thief report` reads back.
        let parsed = try TraceFile.parse(bytes, name: name + "/capture.thief")
        var trace: [UInt8] = []
        let perfetto = try PerfettoTrace(header: parsed.header) { trace += $0 }
        var report = Replay.reports(parsed, interval: nil, observer: { perfetto.consume($0) }).last!
        try perfetto.finish(
            end: parsed.trailer.end, lostEvents: parsed.trailer.lostEvents, worstWaits: report.worstWaits ?? [])
        report.advice = Advisor.advise(report, all: false)
        let pending = try store.begin(name)
        try pending.write("capture.thief", bytes)
        try pending.write("report.json", Array(try JSONRenderer.render(report).utf8))
        try pending.write("report.txt", Array(TextRenderer.renderCapture(report, trigger: trigger).utf8))
        try pending.write("report.html", Array(HTMLRenderer.render(report).utf8))
        try pending.write("trace.pftrace", trace)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try pending.write("trigger.json", Array(try encoder.encode(trigger)) + [10])
        return try pending.commit(as: name)
    }
}
