// swift-tools-version:6.2
// The benchmarks live in their own package so that their dependencies never
// slow the main build or CI. Run: cd Benchmarks && swift run -c release secscore-bench <suite>
// (or secscore-bench-json, the JSON layer against Foundation's, which needs no gRPC).
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
        // Only for the gRPC comparison in the rpc suite.
        .package(url: "https://github.com/grpc/grpc-swift-2.git", exact: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", exact: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", exact: "2.4.1"),
    ],
    targets: [
        /// The physical limit: two C processes ping-ponging over pipes.
        .target(name: "CBenchSupport"),
        /// A C plugin that echoes its payload, for throughput.
        .executableTarget(
            name: "bench-plugin-echo",
            dependencies: [.product(name: "CSecScorePlugin", package: secscore)]
        ),
        /// The same request and answer as a plugin's, as a gRPC unary call
        /// (generated code committed; scripts/generate-grpc.sh).
        .target(
            name: "BenchGRPC",
            dependencies: [
                .product(name: "SecScoreWire", package: secscore),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
            ]
        ),
        /// A gRPC server answering like example-plugin-c, in its own process.
        .executableTarget(name: "bench-grpc-server", dependencies: ["BenchGRPC"]),
        /// secscore's JSON layer against Foundation's JSONDecoder and
        /// JSONSerialization on the scale tenants. Apart from secscore-bench
        /// so that it builds without gRPC (minutes, not twenty).
        .executableTarget(
            name: "secscore-bench-json",
            dependencies: [
                .product(name: "TenantSnapshot", package: secscore),
                .product(name: "SecScoreModel", package: secscore),
            ]
        ),
        .executableTarget(
            name: "secscore-bench",
            dependencies: [
                "CBenchSupport", "BenchGRPC",
                .product(name: "PluginHost", package: secscore),
                .product(name: "SecScorePluginKit", package: secscore),
                .product(name: "SecScoreEngine", package: secscore),
                .product(name: "PluginCheckRunner", package: secscore),
                .product(name: "SecScoreCheckers", package: secscore),
                .product(name: "SecScoreModel", package: secscore),
                .product(name: "TenantSnapshot", package: secscore),
                .product(name: "SecScoreWire", package: secscore),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
    ]
)
