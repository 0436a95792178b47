// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "thief",
    products: [
        .executable(name: "thief", targets: ["thief"]),
        // Test and benchmark workloads and the consumer benchmark: built next to
        // thief for the live tests and scripts/bench.sh, never installed.
        .executable(name: "thief-workloads", targets: ["thief-workloads"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        // The record layout shared by bpf/thief.bpf.c, the shim and Swift.
        .target(name: "CThiefABI", path: "Sources/CThiefABI"),
        // The only C target that calls libbpf: open/load/attach/poll, maps, stats.
        .target(
            name: "CThiefBPF",
            dependencies: ["CThiefABI"],
            linkerSettings: [.linkedLibrary("bpf")]
        ),
        // Process, signal, affinity and clock helpers that must be C (thief_sys.h says why).
        .target(name: "CThiefSys"),
        // Compiles bpf/*.bpf.c with the toolchain's clang and embeds the object.
        .executableTarget(name: "bpf-embed", path: "Sources/bpf-embed"),
        .plugin(name: "BPFObjectPlugin", capability: .buildTool(), dependencies: ["bpf-embed"]),
        // The git commit thief was built from, for `thief --version`.
        .plugin(name: "BuildInfoPlugin", capability: .buildTool()),
        // Pure Swift: records -> aggregates -> report model. No libbpf.
        .target(
            name: "ThiefCore",
            dependencies: ["CThiefABI", .product(name: "Histogram", package: "hdrhistogram-swift")],
            // The consumer's fold is the hot path (millions of records/s): no
            // run-time exclusivity checks in release builds (they were 15% of
            // its profile); debug builds and tests keep them.
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
        ),
        .target(name: "ThiefReport", dependencies: ["ThiefCore"]),
        // The CI gate: rules, their parser, verdicts on reports, and the verdicts'
        // renderings (table, GitHub annotations, JUnit). Reads the report model only.
        .target(name: "ThiefGate", dependencies: ["ThiefCore", "ThiefReport"]),
        .target(
            name: "ThiefTracer",
            dependencies: ["CThiefBPF", "CThiefSys", "ThiefCore"],
            plugins: ["BPFObjectPlugin"]
        ),
        // Bounded workload loops, shared by thief demo and thief-workloads.
        .target(name: "ThiefWorkloads", dependencies: ["CThiefSys"]),
        // The CLI: argument parsing and wiring only.
        .executableTarget(
            name: "thief",
            dependencies: [
                "ThiefCore", "ThiefGate", "ThiefReport", "ThiefTracer", "ThiefWorkloads",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            plugins: ["BuildInfoPlugin"]
        ),
        .executableTarget(
            name: "thief-workloads",
            dependencies: [
                "ThiefCore", "ThiefWorkloads",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // libFuzzer targets for thief's parsers (scripts/fuzz.sh builds them with
        // -sanitize=fuzzer -DTHIEF_FUZZ); a plain build is a replayer of inputs.
        .executableTarget(name: "thief-fuzz", dependencies: ["ThiefCore", "ThiefGate", "ThiefReport"]),
        .testTarget(
            name: "ThiefCoreTests", dependencies: ["ThiefCore", "ThiefGate", "ThiefReport"],
            resources: [.copy("Fixtures")]),
        .testTarget(name: "ThiefLiveTests", dependencies: ["ThiefCore", "ThiefGate", "ThiefReport"]),
        .testTarget(
            name: "ThiefGateTests", dependencies: ["ThiefGate", "ThiefCore", "ThiefReport"],
            resources: [.copy("Fixtures")]),
    ]
)

// CI (.ci/run) sets THIEF_WERROR=1: a compiler warning in thief's own targets
// fails the build (dependencies keep theirs: SwiftPM builds them with their
// own settings).
if Context.environment["THIEF_WERROR"] == "1" {
    for target in package.targets where target.type != .plugin {
        if ["CThiefABI", "CThiefBPF", "CThiefSys"].contains(target.name) {
            target.cSettings = (target.cSettings ?? []) + [.unsafeFlags(["-Werror"])]
        } else {
            target.swiftSettings = (target.swiftSettings ?? []) + [.unsafeFlags(["-warnings-as-errors"])]
        }
    }
}

// scripts/package.sh sets THIEF_STATIC=1 for the release package: libbpf and
// the libelf and zlib it needs are linked from Debian's .a files (the binary
// needs no libbpf.so.1, which Ubuntu 22.04 lacks), and calls to the four
// functions newer than glibc 2.34 go to Sources/CThiefSys/glibc_compat.c.
// The Swift runtime and libstdc++ are made static by package.sh's command line.
if Context.environment["THIEF_STATIC"] == "1" {
    for target in package.targets where target.name == "CThiefBPF" {
        target.linkerSettings = [
            .unsafeFlags(["-Xlinker", "-l:libbpf.a", "-Xlinker", "-l:libelf.a", "-Xlinker", "-l:libz.a"])
        ]
    }
    for target in package.targets where target.name == "thief" {
        let newer = ["hypot", "hypotf", "arc4random", "_dl_find_object"]
        target.linkerSettings = [.unsafeFlags(newer.flatMap { ["-Xlinker", "--wrap=\($0)"] })]
    }
}
