import CThiefBPF
import Foundation

/// Why thief could not measure. Every case is one line for the user and
/// maps to exit code 2 (README "Exit codes"); the CLI picks the code.
public struct TracerError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable { case noTarget, permission, noBTF, kernel, launch, output, internalError }
    public let kind: Kind
    public let description: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.description = message
    }

    /// The one place a negative errno from the shim becomes a Swift error.
    static func check(_ rc: Int32, _ kind: Kind = .kernel, _ context: String) throws {
        guard rc < 0 else { return }
        var message = String(cString: thief_bpf_last_error())
        if message.isEmpty { message = String(cString: strerror(-rc)) }
        if (rc == -EPERM || rc == -EACCES) && !Preflight.hasPrivileges() {
            throw TracerError(.permission, "\(context): \(message) (thief needs root, or CAP_BPF and CAP_PERFMON)")
        }
        throw TracerError(kind, "\(context): \(message)")
    }
}
