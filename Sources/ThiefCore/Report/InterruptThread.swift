/// Kernel threads that run interrupt work. On PREEMPT_RT every hard-IRQ
/// handler runs in a thread `irq/NN-name` (forced threading; elsewhere the
/// same with `threadirqs` or a driver's request_threaded_irq), expired timers
/// in `ktimers/N` (RT), and softirqs in `ksoftirqd/N`. Their run time is
/// interrupt work done as a task, not another program's: the report says so.
public enum InterruptThread {
    public enum Kind: String, Codable, Sendable {
        case irq = "irq-thread"
        case softirq = "softirq-thread"
        case timers = "timer-thread"
    }

    /// What a kernel thread's name says it runs: the kind, and for an IRQ
    /// thread its IRQ number and handler name (as far as the 15-character
    /// comm keeps it). nil: not interrupt work.
    public static func classify(comm: String, kthread: Bool) -> (kind: Kind, irq: UInt32?, name: String?)? {
        guard kthread else { return nil }
        if comm.hasPrefix("ksoftirqd/") { return (.softirq, nil, nil) }
        if comm.hasPrefix("ktimers/") { return (.timers, nil, nil) }
        guard comm.hasPrefix("irq/") else { return nil }
        // "irq/%d-%s", or "irq/%d-s-%s" for a secondary handler (kernel/irq/manage.c).
        let rest = comm.dropFirst(4)
        let digits = rest.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, let irq = UInt32(digits) else { return nil }
        var name = rest.dropFirst(digits.count)
        guard name.first == "-" else { return (.irq, irq, nil) }
        name = name.dropFirst()
        if name.hasPrefix("s-") { name = name.dropFirst(2) }
        return (.irq, irq, name.isEmpty ? nil : String(name))
    }
}

extension Report.Thief {
    /// Sets `kind`, `irq` and `irqName` from the thread's name.
    public mutating func classifyInterruptWork() {
        guard let c = InterruptThread.classify(comm: comm, kthread: kthread) else { return }
        (kind, irq, irqName) = (c.kind, c.irq, c.name)
    }
}
