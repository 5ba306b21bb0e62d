// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "secscore",
    products: [
        .executable(name: "secscore", targets: ["secscore"]),
        .library(name: "PluginHost", targets: ["PluginHost"]),
        .library(name: "SecScorePluginKit", targets: ["SecScorePluginKit"]),
        .library(name: "CSecScorePlugin", targets: ["CSecScorePlugin"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-protobuf.git", exact: "1.39.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", exact: "1.8.2"),
    ],
    targets: [
        // MARK: The wire contract

        /// Generated messages plus the frame codec; no I/O.
        .target(
            name: "SecScoreWire",
            dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")]
        ),

        // MARK: The host

        /// Threads, clocks and whole writes, shared by the host and the Swift SDK.
        .target(name: "SecScorePOSIX"),
        .target(name: "CSecScoreHostShims"),
        .target(
            name: "PluginHost",
            dependencies: ["SecScoreWire", "SecScorePOSIX", "CSecScoreHostShims"]
        ),
        .target(
            name: "PluginConformance",
            dependencies: ["PluginHost", "SecScoreWire"]
        ),

        // MARK: The SDKs

        .target(
            name: "SecScorePluginKit",
            dependencies: ["SecScoreWire", "SecScorePOSIX"]
        ),
        .systemLibrary(
            name: "CProtobufC",
            pkgConfig: "libprotobuf-c",
            providers: [.apt(["libprotobuf-c-dev"])]
        ),
        .target(
            name: "CSecScorePlugin",
            dependencies: ["CProtobufC"],
            linkerSettings: [.linkedLibrary("protobuf-c")]
        ),

        // MARK: The command-line tool (thin)

        .executableTarget(
            name: "secscore",
            dependencies: [
                "PluginHost", "PluginConformance",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // MARK: Example plugins (built and run by the tests)

        .executableTarget(
            name: "example-plugin-swift",
            dependencies: ["SecScorePluginKit"],
            path: "Examples/SwiftPlugin"
        ),
        .executableTarget(
            name: "example-plugin-c",
            dependencies: ["CSecScorePlugin"],
            path: "Examples/CPlugin"
        ),

        // MARK: Test fixtures

        /// A plugin that misbehaves on purpose, one way per mode argument.
        .executableTarget(
            name: "test-plugin-misbehaving",
            dependencies: ["CSecScorePlugin"],
            path: "Tests/Fixtures/MisbehavingPlugin"
        ),

        // MARK: Tests

        .testTarget(name: "SecScoreWireTests", dependencies: ["SecScoreWire"]),
        .testTarget(
            name: "PluginHostTests",
            dependencies: [
                "PluginHost", "SecScoreWire",
                "example-plugin-swift", "example-plugin-c", "test-plugin-misbehaving",
            ]
        ),
        .testTarget(
            name: "SecScorePluginKitTests",
            dependencies: ["SecScorePluginKit", "SecScoreWire"]
        ),
        .testTarget(
            name: "PluginConformanceTests",
            dependencies: [
                "PluginConformance", "PluginHost",
                "example-plugin-swift", "example-plugin-c", "test-plugin-misbehaving",
            ]
        ),
    ]
)

// One set of settings for every Swift target, as swift-log does.
for target in package.targets where target.type != .system {
    guard target.name != "CSecScorePlugin", target.name != "CSecScoreHostShims",
          target.name != "example-plugin-c", target.name != "test-plugin-misbehaving"
    else { continue }
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    target.swiftSettings = settings
}
