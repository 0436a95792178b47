import FoundationEssentials
import Glibc
import ThiefCore

/// `--unit NAME`: a systemd unit's cgroup, from systemd itself.
enum SystemdUnit {
    /// The unit's control group (a path below the cgroup v2 root), or exit 2
    /// with the reason: no systemd, an odd name, no such unit.
    static func cgroup(of unit: String) throws -> String {
        // A unit name is letters, digits and ":-_.\@" (systemd.unit(5)); it is
        // passed as one argument, never through a shell.
        guard !unit.isEmpty, unit.unicodeScalars.allSatisfy(allowed), !unit.hasPrefix("-") else {
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
        let (status, output) = try run(path, ["show", "--property=ControlGroup", "--value", "--", unit])
        let cgroup = output.trimming(.whitespacesAndNewlines)
        guard status == 0, cgroup.hasPrefix("/") else {
            throw fail(
                "no running systemd unit '\(unit)' (check with: systemctl status \(unit))", ThiefExit.cannotMeasure)
        }
        return cgroup
    }

    /// Foundation's CharacterSet.alphanumerics (letters, marks and digits of
    /// any script, as systemd's own check is not) and ":-_.\@".
    static func allowed(_ c: Unicode.Scalar) -> Bool {
        switch c.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .letterNumber, .otherNumber:
            return true
        default:
            return ":-_.\\@".unicodeScalars.contains(c)
        }
    }

    /// Runs systemctl: its exit status and what it wrote on stdout (stderr discarded).
    static func run(_ path: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else {
            throw fail("--unit: pipe: \(String(cString: strerror(errno)))", ThiefExit.cannotMeasure)
        }
        var child: ChildProcess
        do {
            child = try ChildProcess.spawn(path, arguments, stdout: fds[1], quiet: true)
        } catch {
            close(fds[0])
            close(fds[1])
            throw error
        }
        close(fds[1])
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fds[0], &chunk, 4096)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            output += chunk[..<n]
        }
        close(fds[0])
        return (child.wait(), String(decoding: output, as: UTF8.self))
    }
}
