/// The field numbers of Perfetto's trace protos that thief writes, as
/// `protos/perfetto/trace/perfetto_trace.proto` defines them (checked
/// against PyPI perfetto's perfetto_trace_pb2 in the tests).
enum PF {
    enum Trace { static let packet = 1 }
    enum Packet {
        static let ftraceEvents = 1, processTree = 2, clockSnapshot = 6, timestamp = 8
        static let sequenceID = 10, trackEvent = 11, sequenceFlags = 13, trackDescriptor = 60
    }
    enum Bundle { static let cpu = 1, event = 2 }
    enum Ftrace {
        static let timestamp = 1, pid = 2, schedSwitch = 4, schedWaking = 20
        static let softirqEntry = 24, softirqExit = 25, irqEntry = 36, irqExit = 37
    }
    enum Switch {
        static let prevComm = 1, prevPid = 2, prevPrio = 3, prevState = 4, nextComm = 5, nextPid = 6, nextPrio = 7
    }
    enum Waking { static let comm = 1, pid = 2, prio = 3, success = 4, targetCPU = 5 }
    enum Irq { static let irq = 1, name = 2, ret = 2 }
    enum Softirq { static let vec = 1 }
    enum Tree { static let processes = 1, threads = 2 }
    enum Process { static let pid = 1, ppid = 2, cmdline = 3, cmdlineIsComm = 9 }
    enum Thread { static let tid = 1, name = 2, tgid = 3 }
    enum Snapshot { static let clocks = 1, primary = 2 }
    enum Clock {
        static let id = 1, timestamp = 2
        static let realtime: UInt64 = 1, monotonic: UInt64 = 3, boottime: UInt64 = 6
    }
    enum Track { static let uuid = 1, name = 2 }
    enum Event {
        static let type = 9, trackUUID = 11, name = 23
        static let begin: UInt64 = 1, end: UInt64 = 2, instant: UInt64 = 3
    }
}
