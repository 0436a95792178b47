import Foundation
import PackagePlugin

/// Compiles `bpf/*.bpf.c` with the toolchain's own clang (`-target bpf`) and
/// embeds each object as a base64 string in a generated Swift file, which the
/// shim opens with `bpf_object__open_mem`. No object file is ever committed.
@main
struct BPFObjectPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let root = context.package.directoryURL
        let bpfDir = root.appending(path: "bpf")
        let abiDir = root.appending(path: "Sources/CThiefABI/include")
        let fm = FileManager.default
        let sources = try fm.contentsOfDirectory(atPath: bpfDir.path)
            .filter { $0.hasSuffix(".bpf.c") }
            .sorted()
        let headers =
            (try fm.contentsOfDirectory(atPath: bpfDir.path).filter { $0.hasSuffix(".h") })
            .map { bpfDir.appending(path: $0) } + [abiDir.appending(path: "thief_abi.h")]
        let clang = try context.tool(named: "clang").url
        let embed = try context.tool(named: "bpf-embed").url
        #if arch(x86_64)
            let arch = "x86"
        #elseif arch(arm64)
            let arch = "arm64"
        #else
            let arch = "unknown"
        #endif
        return sources.map { source in
            let base = String(source.dropLast(".bpf.c".count))
            let output = context.pluginWorkDirectoryURL.appending(path: "BPFObject_\(base).swift")
            return .buildCommand(
                displayName: "Compiling eBPF program \(source)",
                executable: embed,
                arguments: [
                    "--clang", clang.path,
                    "--source", bpfDir.appending(path: source).path,
                    "--output", output.path,
                    "--symbol", "bpfObject_\(base)",
                    "--", "-D__TARGET_ARCH_\(arch)", "-I", bpfDir.path, "-I", abiDir.path,
                ],
                inputFiles: [bpfDir.appending(path: source)] + headers,
                outputFiles: [output]
            )
        }
    }
}
