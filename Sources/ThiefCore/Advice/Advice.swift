/// One thing to change, tied to the time it costs the target (`advice[]`).
/// thief never runs the commands: they are for a person to read and paste.
public struct Advice: Codable, Sendable, Equatable {
    /// A stable id (docs/advice.md lists them).
    public var rule: String
    /// One sentence with the numbers.
    public var finding: String
    /// The time attributed to this cause: the most the change can win.
    public var savingNs: UInt64
    /// savingNs over the target's runnable wait (or on-core time, for interruptions), 0...1.
    public var share: Double
    /// Exact command lines with this machine's PIDs, IRQs, CPUs and paths.
    public var commands: [String]
    /// Kernel command-line parameters (not a command): they go into the boot
    /// loader's configuration, `Advice.bootParametersWhere` (nil: none).
    public var bootParameters: String? = nil
    /// What could go wrong.
    public var caveats: String
    /// A `thief gate` rule that passes once the change works.
    public var verify: String

    public init(
        rule: String, finding: String, savingNs: UInt64, share: Double, commands: [String],
        bootParameters: String? = nil, caveats: String, verify: String
    ) {
        self.bootParameters = bootParameters
        self.rule = rule
        self.finding = finding
        self.savingNs = savingNs
        self.share = share
        self.commands = commands
        self.caveats = caveats
        self.verify = verify
    }

    enum CodingKeys: String, CodingKey {
        case rule, finding, savingNs = "saving_ns", share, commands, caveats, verify
        case bootParameters = "boot_parameters"
    }

    /// Where boot parameters go, for every renderer to say the same.
    public static let bootParametersWhere =
        "add to GRUB_CMDLINE_LINUX in /etc/default/grub, run update-grub (grub2-mkconfig -o /boot/grub2/grub.cfg "
        + "on Fedora/RHEL), then reboot"
}
