import ArgumentParser
import ThiefCore
import ThiefTracer

/// What to trace: -p PID, -t TID[,TID…], or -- CMD ARGS.
struct TargetOptions: ParsableArguments {
    @Option(name: [.short, .long], help: "Trace every thread of this process, including threads it creates.")
    var pid: Int32?

    @Option(name: [.short, .customLong("tid")], help: "Trace these threads only (TID[,TID…]).", transform: TargetOptions.parseTIDs)
    var tids: [Int32]?

    @Argument(parsing: .postTerminator, help: "A command to launch and trace, after --.")
    var command: [String] = []

    static func parseTIDs(_ text: String) throws -> [Int32] {
        do { return try ThreadList.parse(text) } catch { throw ValidationError(error.description) }
    }

    func validate() throws {
        let chosen = [pid != nil, tids != nil, !command.isEmpty].filter { $0 }.count
        if chosen == 0 { throw ValidationError("say what to trace: -p PID, -t TID[,TID…] or -- CMD ARGS") }
        if chosen > 1 { throw ValidationError("-p, -t and -- CMD are exclusive: choose one") }
        if let pid, pid <= 0 { throw ValidationError("invalid PID \(pid)") }
    }

    var spec: TargetSpec {
        if let pid { return .process(pid) }
        if let tids { return .threads(tids) }
        return .command(command)
    }
}
