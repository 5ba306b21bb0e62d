// swift-tools-version:6.2
import PackageDescription

// C plugins (Examples/CPlugin, the C checkers in Plugins/, the test fixture
// Tests/Fixtures/MisbehavingPlugin) are built by the Makefile with the C
// compiler alone: SwiftPM would link every executable with the Swift runtime,
// which a C plugin does not need and which turns its SIGSEGV into a
// 30-second backtrace. CSecScorePlugin stays a target here so the SDK is
// compiled and usable from SwiftPM too.

/// Release builds of Swift plugins link the Swift runtime statically: a
/// plugin starts for every session, and loading the shared runtime libraries
/// is most of a dynamically linked plugin's start-up time. (Debug builds stay
/// dynamic: the test bundle links these modules and must not go static.)
let swiftPluginLinkerSettings: [LinkerSetting] = [
    .unsafeFlags(
        ["-static-stdlib", "-Xlinker", "-l_FoundationCollections", "-Xlinker", "-l_FoundationCShims"],
        .when(configuration: .release)),
]

let package = Package(
    name: "secscore",
    products: [
        .executable(name: "secscore", targets: ["secscore"]),
        .library(name: "PluginHost", targets: ["PluginHost"]),
        .library(name: "SecScorePluginKit", targets: ["SecScorePluginKit"]),
        .library(name: "CSecScorePlugin", targets: ["CSecScorePlugin"]),
        // For the Benchmarks package, which depends on this one by path.
        .library(name: "SecScoreWire", targets: ["SecScoreWire"]),
        .library(name: "SecScoreEngine", targets: ["SecScoreEngine"]),
        .library(name: "SecScoreCheckers", targets: ["SecScoreCheckers"]),
        .library(name: "TenantSnapshot", targets: ["TenantSnapshot"]),
        .library(name: "SecScoreModel", targets: ["SecScoreModel"]),
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
            dependencies: [
                "SecScoreWire", "SecScorePOSIX", "CSecScoreHostShims",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        .target(
            name: "PluginConformance",
            dependencies: ["PluginHost", "SecScoreWire", .product(name: "SwiftProtobuf", package: "swift-protobuf")]
        ),

        // MARK: Tenant data

        /// The JSON layer: a strict parser that can stream a collection's
        /// items, one accessor (strict or lenient) and one input error.
        /// Knows nothing of snapshots or catalogs.
        .target(name: "SecScoreJSON"),
        /// Reads snapshot directories of Graph and Partner Center exports.
        .target(name: "TenantSnapshot", dependencies: ["SecScoreJSON", "SecScoreWire"]),
        /// The requirement catalog (data, with the built-in editions) and scoring.
        .target(
            name: "SecScoreModel",
            dependencies: ["SecScoreJSON", "TenantSnapshot", "SecScoreWire"],
            resources: [.copy("Resources/catalog.json")]
        ),

        /// Evaluates a snapshot against an edition through a set of checks.
        .target(
            name: "SecScoreEngine",
            dependencies: ["PluginHost", "SecScoreModel", "TenantSnapshot", "SecScoreWire"]
        ),

        /// Deterministic synthetic snapshots of any size (secscore synth).
        .target(name: "SecScoreSynth", dependencies: ["TenantSnapshot"]),
        /// The Swift checkers' rules, shared by their plugins and in-process runs.
        .target(name: "SecScoreCheckers", dependencies: ["SecScoreWire"]),

        /// Renders an evaluation: terminal dashboard, JSON, Markdown, HTML, JUnit.
        .target(name: "SecScoreReports", dependencies: ["SecScoreModel", "TenantSnapshot", "SecScoreWire"]),

        // MARK: The SDKs

        .target(
            name: "SecScorePluginKit",
            dependencies: ["SecScoreWire", "SecScorePOSIX", .product(name: "SwiftProtobuf", package: "swift-protobuf")]
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
                "PluginHost", "PluginConformance", "SecScoreWire", "SecScoreEngine", "SecScoreModel",
                "SecScoreReports", "TenantSnapshot", "SecScoreSynth",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // MARK: The shipped Swift plugins (the C ones are built by the Makefile)

        .executableTarget(
            name: "secscore-plugin-admin-mfa",
            dependencies: ["SecScorePluginKit", "SecScoreCheckers"],
            path: "Plugins/AdminMFA",
            linkerSettings: swiftPluginLinkerSettings
        ),
        .executableTarget(
            name: "secscore-plugin-alert-response",
            dependencies: ["SecScorePluginKit", "SecScoreCheckers"],
            path: "Plugins/AlertResponse",
            linkerSettings: swiftPluginLinkerSettings
        ),
        .executableTarget(
            name: "secscore-plugin-spending-budget",
            dependencies: ["SecScorePluginKit", "SecScoreCheckers"],
            path: "Plugins/SpendingBudget",
            linkerSettings: swiftPluginLinkerSettings
        ),

        // MARK: Example plugins (built and run by the tests)

        .executableTarget(
            name: "example-plugin-swift",
            dependencies: ["SecScorePluginKit"],
            path: "Examples/SwiftPlugin",
            linkerSettings: swiftPluginLinkerSettings
        ),

        // MARK: Test fixtures


        /// A Swift SDK plugin whose checks exercise SDK duties.
        /// The soak (make soak): the real CLI and plugins under injected faults.
        .executableTarget(
            name: "secscore-soak",
            dependencies: ["CSecScoreHostShims", "SecScoreSynth", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Tests/Soak"
        ),
        .executableTarget(
            name: "test-plugin-swift",
            dependencies: ["SecScorePluginKit"],
            path: "Tests/Fixtures/SwiftTestPlugin"
        ),

        // MARK: Tests

        /// Locating built products, leak checks and request builders.
        .target(
            name: "SecScoreTestSupport",
            dependencies: ["PluginHost", "SecScoreWire"],
            path: "Tests/SecScoreTestSupport"
        ),

        .testTarget(
            name: "SecScoreCheckersTests",
            dependencies: [
                "SecScoreCheckers", "SecScoreWire", "PluginHost", "SecScoreTestSupport", "SecScoreSynth",
                "secscore-plugin-admin-mfa", "secscore-plugin-alert-response", "secscore-plugin-spending-budget",
            ]
        ),
        .testTarget(name: "SecScoreJSONTests", dependencies: ["SecScoreJSON"]),
        .testTarget(name: "TenantSnapshotTests", dependencies: ["TenantSnapshot", "SecScoreWire", "SecScoreSynth", "SecScoreTestSupport"]),
        .testTarget(
            name: "SecScoreEngineTests",
            dependencies: [
                "SecScoreEngine", "SecScoreModel", "SecScoreReports", "TenantSnapshot", "SecScoreWire", "PluginHost",
                "SecScoreCheckers", "SecScoreSynth", "SecScoreTestSupport", "secscore", "secscore-plugin-admin-mfa", "secscore-plugin-alert-response",
                "secscore-plugin-spending-budget",
            ]
        ),
        .testTarget(
            name: "SecScoreWireTests",
            dependencies: ["SecScoreWire", "SecScoreTestSupport", .product(name: "SwiftProtobuf", package: "swift-protobuf")]
        ),
        .testTarget(
            name: "PluginHostTests",
            dependencies: [
                "PluginHost", "SecScoreWire", "SecScoreTestSupport", "CSecScoreHostShims", "secscore",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                "example-plugin-swift", "test-plugin-swift",
            ]
        ),
        .testTarget(
            name: "SecScorePluginKitTests",
            dependencies: ["SecScorePluginKit", "SecScoreWire", "PluginHost", "SecScoreTestSupport", "test-plugin-swift"]
        ),
        .testTarget(
            name: "PluginConformanceTests",
            dependencies: [
                "PluginConformance", "PluginHost", "SecScoreTestSupport",
                "example-plugin-swift", "test-plugin-swift",
            ]
        ),
    ]
)

// One set of settings for every target, as swift-log does: warnings are
// errors in our own code (dependencies keep theirs).
for target in package.targets where target.type != .system {
    if target.name == "CSecScorePlugin" || target.name == "CSecScoreHostShims" {
        target.cSettings = (target.cSettings ?? []) + [.treatAllWarnings(as: .error)]
        continue
    }
    var settings = target.swiftSettings ?? []
    settings.append(.treatAllWarnings(as: .error))
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    target.swiftSettings = settings
}
