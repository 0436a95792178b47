import ThiefCore

/// Thieves past the rows of the text table, grouped by command: the many
/// short-lived processes of one program (a cron job's `date`, a shell loop)
/// read as one line, "date ×1613 processes 2.31s".
struct CommGroup: Equatable {
    var comm: String
    /// Distinct tgids.
    var processes: Int
    var stolenNs: UInt64

    /// Most shown.
    static let shown = 5

    /// Commands of two or more tasks, most time first (ties by name); the
    /// folded `(others)` entry is no command.
    static func groups(_ rest: ArraySlice<Report.Thief>) -> [CommGroup] {
        var tgids: [String: Set<UInt32>] = [:]
        var tasks: [String: Int] = [:]
        var stolen: [String: UInt64] = [:]
        for t in rest where t.pid != 0 {
            let name = t.kthread ? "[\(t.comm)]" : t.comm
            tgids[name, default: []].insert(t.tgid)
            tasks[name, default: 0] += 1
            stolen[name, default: 0] &+= t.stolenNs
        }
        return tasks.filter { $0.value > 1 }.keys
            .map { CommGroup(comm: $0, processes: tgids[$0]!.count, stolenNs: stolen[$0]!) }
            .sorted { ($0.stolenNs, $1.comm) > ($1.stolenNs, $0.comm) }
            .prefix(shown).map { $0 }
    }
}
