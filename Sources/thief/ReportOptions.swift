import ArgumentParser
import Foundation
import ThiefCore
import ThiefReport

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

struct ReportOptions: ParsableArguments {
    @Option(name: .long, help: "Report format: text or json (schema 1).")
    var format: OutputFormat = .text

    func emit(_ report: Report) throws {
        let text: String
        switch format {
        case .text: text = TextRenderer.render(report)
        case .json: text = try JSONRenderer.render(report)
        }
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}

struct TraceOptions: ParsableArguments {
    @Option(name: [.short, .long], help: "Stop after this long: 500ms, 30s, 2m (default: until Ctrl+C or the target exits).")
    var duration: String?

    @Flag(name: .long, help: "Do not trace hard IRQs, softirqs and system vectors.")
    var noIrqs = false

    @Option(name: .long, help: "Attach as tp_btf or raw_tp (default: tp_btf where the kernel has it).")
    var attach: AttachMode = .auto

    @Flag(name: [.short, .long], help: "Do not print the 'tracing…' line on stderr.")
    var quiet = false

    @Flag(name: .customLong("noop-programs"), help: .hidden)
    var noopPrograms = false

    var durationNs: UInt64? {
        get throws {
            guard let duration else { return nil }
            do { return try DurationParser.nanoseconds(duration) } catch let e as DurationParser.Invalid {
                throw ValidationError(e.description)
            }
        }
    }

    func validate() throws {
        _ = try durationNs
    }
}

enum AttachMode: String, ExpressibleByArgument, CaseIterable {
    case auto
    case tpBTF = "tp_btf"
    case rawTP = "raw_tp"
}
