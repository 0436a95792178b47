/// ABI version 1, the layout of recordings made before the per-type union:
///
///     0 ts  8 start_ts  16 dur  24 type:u16  26 cpu:u16  28 aux:u32
///     32 tid  36 tgid  40 other_pid  44 other_tgid  48 comm[16]
///
/// `aux`, `other_pid` and `other_tgid` meant something else for each type.
extension EventDecoder {
    static func decodeV1(_ p: UnsafeRawPointer) -> Event? {
        func u64(_ o: Int) -> UInt64 { p.loadUnaligned(fromByteOffset: o, as: UInt64.self) }
        func u32(_ o: Int) -> UInt32 { p.loadUnaligned(fromByteOffset: o, as: UInt32.self) }
        let ts = u64(0), start = u64(8), dur = u64(16)
        let type = p.loadUnaligned(fromByteOffset: 24, as: UInt16.self)
        let cpu = p.loadUnaligned(fromByteOffset: 26, as: UInt16.self)
        let aux = u32(28), tid = u32(32), tgid = u32(36), other = u32(40), otherTgid = u32(44)
        let comm = Comm(p.loadUnaligned(fromByteOffset: 48, as: Comm.Bytes.self))
        switch type {
        case 1:
            return .slice(
                SliceEnded(tid: tid, tgid: tgid, cpu: cpu, start: start, end: ts, ran: dur, next: OffState(kernel: aux))
            )
        case 2:
            return .offCore(
                OffCoreEnded(tid: tid, tgid: tgid, cpu: cpu, start: start, end: ts, state: OffState(kernel: aux)))
        case 3:
            return .wait(WaitEnded(tid: tid, tgid: tgid, cpu: cpu, queueCPU: other, start: start, end: ts))
        case 4:
            return .steal(
                Steal(
                    victim: tid, cpu: cpu, start: start, end: ts, duration: dur, pid: other, tgid: otherTgid,
                    kthread: aux & 1 != 0, comm: comm))
        case 5:
            return .interrupt(
                Interrupt(
                    tid: tid, tgid: tgid, cpu: cpu, start: start, end: ts, duration: dur, kind: IRQKind(rawValue: aux),
                    number: other, handler: comm))
        case 6:
            return .migration(
                Migration(tid: tid, tgid: tgid, time: ts, from: other, to: otherTgid, kind: MigrationKind(kernel: aux)))
        case 7:
            return .threadBorn(ThreadChange(tid: tid, tgid: tgid, time: ts, parent: other, comm: comm))
        case 8:
            return .threadExit(ThreadChange(tid: tid, tgid: tgid, time: ts, parent: 0, comm: comm))
        case 9:
            return .threadExec(ThreadChange(tid: tid, tgid: tgid, time: ts, parent: 0, comm: comm))
        default:
            return nil
        }
    }
}
