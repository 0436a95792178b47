/// The target's time by CPU: on-core slices by the CPU they ran on, runnable
/// waits by the CPU they ended on (where the thread was switched in), steals
/// by the CPU they happened on, the contended part of slices and the
/// interrupts by the CPU of their slice. Each window's portions go to a CPU
/// as they go to the totals, so the per-CPU sums equal on_core.total_ns and
/// runnable_wait.total_ns exactly, intervals included.
public struct CPUs: Analysis {
    public struct Account: Sendable {
        public var seen = false
        public var onCore: UInt64 = 0
        public var runnableWait: UInt64 = 0
        public var stolen: UInt64 = 0
        public var contention: UInt64 = 0
        public var irq: UInt64 = 0
        public var softirq: UInt64 = 0
        public var sysvec: UInt64 = 0
    }

    /// Indexed by CPU number; grows at the first sight of a CPU.
    public private(set) var accounts: [Account] = []

    public init() {}

    @inline(__always)
    public mutating func consume(_ e: Episode, portion: UInt64, length: UInt64?) {
        switch e.kind {
        case .onCore:
            touch(e.cpu)
            accounts[Int(e.cpu)].onCore &+= portion
            if length != nil { accounts[Int(e.cpu)].contention &+= e.contended }
        case .wait:
            touch(e.cpu)
            accounts[Int(e.cpu)].runnableWait &+= portion
        case .offCore:
            break
        }
    }

    public mutating func consume(_ event: Event, in span: WindowSpan) {
        switch event {
        case .steal(let s):
            touch(s.cpu)
            accounts[Int(s.cpu)].stolen &+= s.duration(from: span.runStart)
        case .interrupt(let i):
            guard let kind = i.kind else { return }
            touch(i.cpu)
            switch kind {
            case .hard: accounts[Int(i.cpu)].irq &+= i.duration
            case .soft: accounts[Int(i.cpu)].softirq &+= i.duration
            case .systemVector: accounts[Int(i.cpu)].sysvec &+= i.duration
            }
        default: return
        }
    }

    @inline(__always)
    private mutating func touch(_ cpu: UInt16) {
        let c = Int(cpu)
        if c >= accounts.count { accounts += [Account](repeating: Account(), count: c + 1 - accounts.count) }
        accounts[c].seen = true
    }

    public func section(_ context: SectionContext) -> [Report.CPUReport] { section(context, topology: nil) }

    /// One entry per CPU the target ran, waited or was interrupted on.
    public func section(_ context: SectionContext, topology: Topology?) -> [Report.CPUReport] {
        accounts.indices.filter { accounts[$0].seen }.map { c in
            let a = accounts[c], t = topology?[c]
            return Report.CPUReport(
                cpu: c, core: t?.core, llc: t?.llc, node: t?.node, onCoreNs: a.onCore,
                runnableWaitNs: a.runnableWait, stolenNs: a.stolen, contentionNs: a.contention, irqNs: a.irq,
                softirqNs: a.softirq, sysvecNs: a.sysvec)
        }
    }
}
