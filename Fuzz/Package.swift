// swift-tools-version:6.2
// libFuzzer targets. Run: make fuzz (or see the Makefile's fuzz target).
import Foundation
import PackageDescription

let secscore = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent().lastPathComponent.lowercased()
// Instrumentation is not set here but on the command line (see
// ../scripts/fuzz.sh: -Xswiftc -sanitize=fuzzer,address), so that it reaches
// every Swift module the targets use, not just their own. Each target's
// main calls LLVMFuzzerRunDriver.

let package = Package(
    name: "secscore-fuzz",
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/apple/swift-protobuf.git", exact: "1.39.0"),
    ],
    targets: [
        /// The host's frame reader: any bytes a plugin could write.
        .executableTarget(
            name: "fuzz-frame-decoder",
            dependencies: [
                .product(name: "SecScoreWire", package: secscore),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]),
        /// The snapshot loader's JSON parser and decoders.
        .executableTarget(
            name: "fuzz-snapshot-loader",
            dependencies: [.product(name: "TenantSnapshot", package: secscore)]),
    ]
)
