import CThiefABI

/// One record from the kernel side, exactly as `struct thief_record` in
/// `thief_abi.h` lays it out (64 bytes). Decoding is a bounds-checked copy.
public typealias Record = thief_record

public enum RecordKind: UInt16, Sendable {
    case slice = 1, offCore = 2, wait = 3, steal = 4, irq = 5, migrate = 6
    case newThread = 7, exit = 8, exec = 9
}

public enum OffState: Int, CaseIterable, Sendable {
    case preempted = 0, sleeping = 1, blocked = 2, other = 3

    public var name: String {
        switch self {
        case .preempted: "preempted"
        case .sleeping: "sleeping"
        case .blocked: "blocked"
        case .other: "other"
        }
    }

    /// From the state letter of /proc/PID/task/TID/stat.
    public init(procState: Character) {
        switch procState {
        case "R": self = .preempted
        case "S", "I": self = .sleeping
        case "D": self = .blocked
        default: self = .other
        }
    }
}

public enum MigrationKind: Int, CaseIterable, Sendable {
    case atWakeup = 0, whileQueued = 1, whileRunning = 2
}

public enum IRQKind: UInt32, Sendable {
    case hard = 0, soft = 1, systemVector = 2
}

public extension Record {
    static let size = Int(THIEF_RECORD_SIZE)
    static let abiVersion = Int(THIEF_ABI_VERSION)

    /// Decodes a record from raw bytes; nil if fewer than `Record.size` bytes.
    static func decode(_ bytes: UnsafeRawBufferPointer) -> Record? {
        guard bytes.count >= size, let base = bytes.baseAddress else { return nil }
        return base.loadUnaligned(as: Record.self)
    }

    var kind: RecordKind? { RecordKind(rawValue: type) }

    /// The comm field as a String (NUL-terminated, at most 16 bytes).
    var commString: String {
        withUnsafeBytes(of: comm) { raw in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// A record built in Swift (tests and trace replays).
    init(kind: RecordKind, ts: UInt64, start: UInt64 = 0, dur: UInt64 = 0, cpu: UInt16 = 0,
         aux: UInt32 = 0, tid: UInt32, tgid: UInt32, otherPid: UInt32 = 0, otherTgid: UInt32 = 0,
         comm: String = "") {
        self.init()
        self.type = kind.rawValue
        self.ts = ts
        self.start_ts = start
        self.dur = dur
        self.cpu = cpu
        self.aux = aux
        self.tid = tid
        self.tgid = tgid
        self.other_pid = otherPid
        self.other_tgid = otherTgid
        withUnsafeMutableBytes(of: &self.comm) { raw in
            for (i, b) in comm.utf8.prefix(raw.count - 1).enumerated() { raw[i] = b }
        }
    }
}

public enum SoftIRQ {
    /// include/linux/interrupt.h, the order of the softirq vectors.
    public static let names = ["HI", "TIMER", "NET_TX", "NET_RX", "BLOCK", "IRQ_POLL",
                               "TASKLET", "SCHED", "HRTIMER", "RCU"]
    public static func name(_ vector: UInt32) -> String {
        Int(vector) < names.count ? names[Int(vector)] : "VEC\(vector)"
    }
}

public enum SystemVector {
    /// enum thief_sysvec in thief_abi.h.
    public static let names = ["local_timer", "reschedule", "call_function", "call_function_single",
                               "irq_work", "x86_platform_ipi", "thermal_apic", "threshold_apic",
                               "deferred_error_apic", "spurious_apic", "error_apic"]
    public static func name(_ id: UInt32) -> String {
        Int(id) < names.count ? names[Int(id)] : "vector\(id)"
    }
}
