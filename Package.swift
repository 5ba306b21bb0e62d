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
/// They are also linked as fixed-address executables that export no
/// symbols: as a PIE, the loader applied 43,000 relocations to the 35 MB
/// binary at every start (128 more page faults), and the runtime's start-up
/// `dladdr` scanned 10,200 exported symbols; together 1.4 ms of a 5.5 ms
/// start (perf, BENCHMARKS.md "spawn").
let swiftPluginLinkerSettings: [LinkerSetting] = [
    .unsafeFlags(
        ["-static-stdlib", "-Xlinker", "-l_FoundationCollections", "-Xlinker", "-l_FoundationCShims",
         "-Xclang-linker", "-no-pie", "-Xlinker", "--no-export-dynamic"],
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
        .library(name: "PluginCheckRunner", targets: ["PluginCheckRunner"]),
        .library(name: "SecScoreCheckers", targets: ["SecScoreCheckers"]),
        .library(name: "TenantSnapshot", targets: ["TenantSnapshot"]),
        .library(name: "SecScoreModel", targets: ["SecScoreModel"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-protobuf.git", exact: "1.39.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", exact: "1.8.2"),
        // History in SQLite (issue 13): versioned migrations, WAL, one
        // transaction per evaluation.
        .package(url: "https://github.com/groue/GRDB.swift.git", exact: "7.10.0"),
        // Well-kept libraries instead of our own outside the product's core
        // (issue 11, point 8): logging, descriptors and errno, a deque, SHA-256.
        .package(url: "https://github.com/apple/swift-log.git", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-system.git", exact: "1.8.1"),
        .package(url: "https://github.com/apple/swift-collections.git", exact: "1.6.0"),
        // A range, not a pin: swift-certificates (under the HTTP client) takes
        // 3.12.3..<6.0.0, so either mirrored release resolves with it.
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        // Tests and the soak start processes with it; the product's own
        // spawn path cannot use it (PluginProcess.swift says why).
        // Without its Foundation trait: nothing here needs Data.
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", exact: "1.0.2", traits: []),
        // secscore collect: the HTTP client, the client assertion's RS256
        // signature (_CryptoExtras exists in 3.x and 4.x; 4.5.2 resolves),
        // the certificate's thumbprint, and the loopback fake the tests run
        // (swift-crypto and swift-log are declared above).
        .package(url: "https://github.com/swift-server/async-http-client.git", exact: "1.37.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", exact: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.1.0"),
        .package(url: "https://github.com/apple/swift-nio.git", exact: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
    ],
    targets: [
        // MARK: The wire contract

        /// Generated messages plus the frame codec; no I/O.
        .target(
            name: "SecScoreWire",
            dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")]
        ),

        // MARK: The host

        /// Threads and clocks, shared by the host and the Swift SDK.
        .target(name: "SecScorePOSIX", dependencies: ["CSecScoreMalloc"]),
        /// mallopt(3), which Swift's Glibc module does not export.
        .target(name: "CSecScoreMalloc"),
        .target(name: "CSecScoreHostShims"),
        .target(
            name: "PluginHost",
            dependencies: [
                "SecScoreWire", "SecScorePOSIX", "CSecScoreHostShims",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Crypto", package: "swift-crypto"),
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

        /// Evaluates snapshots against an edition through any `CheckRunner`;
        /// knows checks, not processes.
        .target(
            name: "SecScoreEngine",
            dependencies: ["SecScoreModel", "TenantSnapshot", "SecScoreWire"]
        ),
        /// The engine's runner over plugin processes: the one module that
        /// knows both the engine and the plugin host.
        .target(
            name: "PluginCheckRunner",
            dependencies: ["SecScoreEngine", "PluginHost", "SecScoreWire"]
        ),

        /// Fetches a snapshot from Microsoft Graph and Partner Center (secscore collect).
        .target(
            name: "SecScoreCollect",
            dependencies: [
                "TenantSnapshot",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),

        /// Deterministic synthetic snapshots of any size (secscore synth).
        .target(name: "SecScoreSynth", dependencies: ["TenantSnapshot"]),
        /// The Swift checkers' rules, shared by their plugins and in-process runs.
        .target(name: "SecScoreCheckers", dependencies: ["SecScoreWire"]),

        /// Every evaluation recorded in SQLite, read back as trends and changes.
        .target(
            name: "SecScoreHistory",
            dependencies: [
                "SecScoreModel", "TenantSnapshot", "SecScoreWire",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),

        /// Renders an evaluation: terminal dashboard, JSON, Markdown, HTML, JUnit.
        .target(name: "SecScoreReports", dependencies: ["SecScoreModel", "TenantSnapshot", "SecScoreWire"]),

        // MARK: The SDKs

        .target(
            name: "SecScorePluginKit",
            dependencies: [
                "SecScoreWire", "SecScorePOSIX", .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
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
                "PluginHost", "PluginCheckRunner", "PluginConformance", "SecScoreWire", "SecScoreEngine", "SecScoreModel",
                "SecScoreReports", "TenantSnapshot", "SecScoreSynth", "SecScoreHistory", "SecScoreCollect",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        /// The shipped Swift plugins' entry point: serves SecScoreCheckers
        /// through the SDK, which itself knows none of our rules.
        .target(name: "SecScoreCheckerPlugin", dependencies: ["SecScorePluginKit", "SecScoreCheckers", "SecScoreWire"]),

        // MARK: The shipped Swift plugins (the C ones are built by the Makefile)

        .executableTarget(
            name: "secscore-plugin-admin-mfa",
            dependencies: ["SecScoreCheckerPlugin", "SecScoreCheckers"],
            path: "Plugins/AdminMFA",
            linkerSettings: swiftPluginLinkerSettings
        ),
        .executableTarget(
            name: "secscore-plugin-alert-response",
            dependencies: ["SecScoreCheckerPlugin", "SecScoreCheckers"],
            path: "Plugins/AlertResponse",
            linkerSettings: swiftPluginLinkerSettings
        ),
        .executableTarget(
            name: "secscore-plugin-spending-budget",
            dependencies: ["SecScoreCheckerPlugin", "SecScoreCheckers"],
            path: "Plugins/SpendingBudget",
            linkerSettings: swiftPluginLinkerSettings
        ),

        // MARK: Example plugins (built and run by the tests)

        .executableTarget(
            name: "example-plugin-swift",
            dependencies: ["SecScorePluginKit", .product(name: "Logging", package: "swift-log")],
            path: "Examples/SwiftPlugin",
            linkerSettings: swiftPluginLinkerSettings
        ),

        // MARK: Test fixtures


        /// A Swift SDK plugin whose checks exercise SDK duties.
        /// The soak (make soak): the real CLI and plugins under injected faults.
        .executableTarget(
            name: "secscore-soak",
            dependencies: [
                "CSecScoreHostShims", "SecScoreSynth", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Subprocess", package: "swift-subprocess"),
            ],
            path: "Tests/Soak"
        ),
        /// A program embedding PluginHost, to see what spawning changes process-wide.
        .executableTarget(
            name: "test-host-embedder",
            dependencies: ["PluginHost"],
            path: "Tests/Fixtures/HostEmbedder"
        ),
        .executableTarget(
            name: "test-plugin-swift",
            dependencies: ["SecScorePluginKit", .product(name: "Logging", package: "swift-log")],
            path: "Tests/Fixtures/SwiftTestPlugin"
        ),

        // MARK: Tests

        /// Locating built products, leak checks and request builders.
        .target(
            name: "SecScoreTestSupport",
            dependencies: [
                "PluginHost", "SecScoreWire",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "InMemoryLogging", package: "swift-log"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            path: "Tests/SecScoreTestSupport"
        ),

        .testTarget(
            name: "SecScoreCheckersTests",
            dependencies: [
                "SecScoreCheckers", "SecScoreWire", "SecScoreModel", "PluginHost", "SecScoreTestSupport", "SecScoreSynth",
                "secscore-plugin-admin-mfa", "secscore-plugin-alert-response", "secscore-plugin-spending-budget",
            ]
        ),
        .testTarget(
            name: "SecScoreHistoryTests",
            dependencies: ["SecScoreHistory", "SecScoreModel", "TenantSnapshot", "SecScoreWire", "SecScoreTestSupport", "secscore",
                           .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(name: "SecScoreModelTests", dependencies: ["SecScoreModel", "TenantSnapshot", "SecScoreWire"]),
        .testTarget(name: "SecScoreJSONTests", dependencies: ["SecScoreJSON"]),
        .testTarget(name: "TenantSnapshotTests", dependencies: ["TenantSnapshot", "SecScoreWire", "SecScoreSynth", "SecScoreTestSupport"]),
        .testTarget(
            name: "SecScoreEngineTests",
            dependencies: [
                "SecScoreEngine", "SecScoreModel", "SecScoreReports", "TenantSnapshot", "SecScoreWire", "PluginHost",
                "PluginCheckRunner", "SecScoreCheckers", "SecScoreSynth", "SecScoreTestSupport", "secscore", "secscore-plugin-admin-mfa", "secscore-plugin-alert-response",
                "secscore-plugin-spending-budget",
            ]
        ),
        /// A loopback Microsoft Graph, Partner Center and token endpoint for
        /// the collect tests and benchmark (Hummingbird).
        .target(
            name: "FakeMicrosoft",
            dependencies: [
                "SecScoreCollect",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Tests/FakeMicrosoft"
        ),
        /// The collect benchmark (BENCHMARKS.md): the CLI against the fake under its limits.
        /// Recording and querying a fleet's history (make bench-history).
        .executableTarget(
            name: "secscore-history-bench",
            dependencies: ["SecScoreHistory", "SecScoreModel", "TenantSnapshot", "SecScoreWire"],
            path: "Tests/HistoryBench"
        ),
        .executableTarget(
            name: "secscore-collect-bench",
            dependencies: ["FakeMicrosoft", "SecScoreCollect", "SecScoreSynth"],
            path: "Tests/CollectBench"
        ),
        .testTarget(
            name: "SecScoreCollectTests",
            dependencies: [
                "SecScoreCollect", "FakeMicrosoft", "TenantSnapshot", "SecScoreWire", "SecScoreSynth", "SecScoreTestSupport", "secscore",
                "secscore-plugin-admin-mfa", "secscore-plugin-alert-response", "secscore-plugin-spending-budget",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
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
                "example-plugin-swift", "test-plugin-swift", "test-host-embedder",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "SecScorePluginKitTests",
            dependencies: [
                "SecScorePluginKit", "SecScoreWire", "SecScorePOSIX", "PluginHost", "SecScoreTestSupport", "test-plugin-swift",
                .product(name: "Logging", package: "swift-log"),
            ]
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
