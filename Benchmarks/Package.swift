// swift-tools-version:6.2
// The benchmarks live in their own package so that their dependencies never
// slow the main build or CI. Run: cd Benchmarks && swift run -c release secscore-bench <suite>
import Foundation
import PackageDescription

// SwiftPM names a path dependency after its folder, which is whatever the
// checkout is called.
let secscore = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent().lastPathComponent.lowercased()

let package = Package(
    name: "secscore-benchmarks",
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/apple/swift-protobuf.git", exact: "1.39.0"),
    ],
    targets: [
        /// The physical limit: two C processes ping-ponging over pipes.
        .target(name: "CBenchSupport"),
        /// A C plugin that echoes its payload, for throughput.
        .executableTarget(
            name: "bench-plugin-echo",
            dependencies: [.product(name: "CSecScorePlugin", package: secscore)]
        ),
        .executableTarget(
            name: "secscore-bench",
            dependencies: [
                "CBenchSupport",
                .product(name: "PluginHost", package: secscore),
                .product(name: "SecScoreWire", package: secscore),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
    ]
)
