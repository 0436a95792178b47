import Foundation

/// The target a fuzzer run exercises: THIEF_FUZZ_TARGET (scripts/fuzz.sh sets it).
let selectedTarget: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["THIEF_FUZZ_TARGET"] ?? ""
    guard let t = FuzzTarget(rawValue: name) else {
        let all = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
        FileHandle.standardError.write(Data("thief-fuzz: set THIEF_FUZZ_TARGET to one of: \(all)\n".utf8))
        exit(2)
    }
    return t
}()

/// libFuzzer's entry point (built with -sanitize=fuzzer and -DTHIEF_FUZZ by scripts/fuzz.sh).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    selectedTarget.run(bytes.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? [])
    return 0
}

#if THIEF_FUZZ
    /// libFuzzer's driver (in the runtime -sanitize=fuzzer links). SwiftPM names
    /// an executable's entry point after the target and points `main` at it, so
    /// the entry point hands over to libFuzzer instead of libFuzzer's own main.
    @_silgen_name("LLVMFuzzerRunDriver")
    func LLVMFuzzerRunDriver(
        _ argc: UnsafeMutablePointer<CInt>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt

    @main
    enum Fuzzer {
        static func main() {
            var argc = CommandLine.argc
            var argv = CommandLine.unsafeArgv
            _ = selectedTarget
            exit(LLVMFuzzerRunDriver(&argc, &argv) { fuzzOne($0, $1) })
        }
    }
#else
    /// Without libFuzzer (a plain `swift build`): `thief-fuzz TARGET FILE…` runs
    /// inputs through a target once, e.g. to replay a crash under a debugger.
    @main
    enum Replayer {
        static func main() {
            let args = CommandLine.arguments.dropFirst()
            guard let name = args.first, let target = FuzzTarget(rawValue: name) else {
                let all = FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")
                FileHandle.standardError.write(Data("usage: thief-fuzz \(all) FILE…\n".utf8))
                exit(2)
            }
            for path in args.dropFirst() {
                guard let data = FileManager.default.contents(atPath: path) else {
                    FileHandle.standardError.write(Data("thief-fuzz: cannot read \(path)\n".utf8))
                    exit(1)
                }
                target.run(Array(data))
                print("\(path): ok")
            }
        }
    }
#endif
