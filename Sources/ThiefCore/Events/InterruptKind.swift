/// Hard IRQ, softirq or x86 system vector (enum thief_irq_kind).
public enum IRQKind: UInt32, CaseIterable, Sendable {
    case hard = 0, soft = 1, systemVector = 2
}

/// The softirq vectors' names, in the order of include/linux/interrupt.h.
public enum SoftIRQ {
    public static let names = [
        "HI", "TIMER", "NET_TX", "NET_RX", "BLOCK", "IRQ_POLL", "TASKLET", "SCHED", "HRTIMER", "RCU",
    ]
    public static func name(_ vector: UInt32) -> String {
        Int(vector) < names.count ? names[Int(vector)] : "VEC\(vector)"
    }
}

/// The x86 system vectors thief traces (enum thief_sysvec in thief_abi.h).
public enum SystemVector {
    public static let names = [
        "local_timer", "reschedule", "call_function", "call_function_single", "irq_work", "x86_platform_ipi",
        "thermal_apic", "threshold_apic", "deferred_error_apic", "spurious_apic", "error_apic",
    ]
    public static func name(_ id: UInt32) -> String {
        Int(id) < names.count ? names[Int(id)] : "vector\(id)"
    }
}
