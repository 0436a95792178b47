import CThiefABI

/// One record from the kernel side, exactly as `struct thief_record` in
/// `thief_abi.h` lays it out (64 bytes). Only `EventDecoder` reads its fields.
public typealias Record = thief_record

extension Record {
    public static let size = Int(THIEF_RECORD_SIZE)
    public static let abiVersion = Int(THIEF_ABI_VERSION)
}
