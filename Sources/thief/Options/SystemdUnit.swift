import Foundation
import ThiefCore

/// `--unit NAME`: a systemd unit's cgroup, from systemd itself.
enum SystemdUnit {
    /// The unit's control group (a path below the cgroup v2 root), or exit 2
    /// with the reason: no systemd, an odd name, no such unit.
    static func cgroup(of unit: String) throws -> String {
        // A unit name is letters, digits and ":-_.\@" (systemd.unit(5)); it is
        // passed as one argument, never through a shell.
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: ":-_.\\@"))
        guard !unit.isEmpty, unit.unicodeScalars.allSatisfy(allowed.contains), !unit.hasPrefix("-") else {
            throw fail("invalid unit name '\(unit)'", ThiefExit.usage)
        }
        guard FileManager.default.fileExists(atPath: "/run/systemd/system") else {
            let init1 = ProcFS.comm(pid: 1) ?? "unknown"
            throw fail(
                "--unit needs systemd, which is not running here (PID 1 is '\(init1)'); "
                    + "give the service's cgroup with --cgroup (see /proc/PID/cgroup)", ThiefExit.cannotMeasure)
        }
        let path = ["/usr/bin/systemctl", "/bin/systemctl"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let path else { throw fail("--unit: systemctl not found", ThiefExit.cannotMeasure) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = ["show", "--property=ControlGroup", "--value", "--", unit]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let cgroup = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard p.terminationStatus == 0, cgroup.hasPrefix("/") else {
            throw fail(
                "no running systemd unit '\(unit)' (check with: systemctl status \(unit))", ThiefExit.cannotMeasure)
        }
        return cgroup
    }
}
