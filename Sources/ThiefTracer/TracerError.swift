import CThiefBPF
import CThiefSys
import FoundationEssentials
import Glibc

/// Why thief could not measure. Every case is one line for the user and
/// maps to exit code 2 (docs/command-line.md "Exit codes"); the CLI picks the code.
public struct TracerError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable { case noTarget, permission, noBTF, kernel, launch, output, internalError }
    public let kind: Kind
    public let description: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.description = message
    }

    /// The C target whose last-error message explains a failed call.
    enum Shim { case bpf, sys }

    /// The one place a negative errno from a shim becomes a Swift error.
    static func check(_ rc: Int32, _ kind: Kind = .kernel, _ context: String, from shim: Shim = .bpf) throws {
        guard rc < 0 else { return }
        var message = String(cString: shim == .bpf ? thief_bpf_last_error() : thief_sys_last_error())
        if message.isEmpty { message = String(cString: strerror(-rc)) }
        let missing = Preflight.missingCapabilities()
        if (rc == -EPERM || rc == -EACCES) && !missing.isEmpty {
            throw TracerError(.permission, "\(context): \(message); \(Preflight.missingCapabilityMessage(missing))")
        }
        throw TracerError(kind, "\(context): \(message)")
    }
}
