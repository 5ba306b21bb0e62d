import PluginConformance
import PluginHost
import SecScoreTestSupport
import Testing

@Suite("Conformance suite")
struct ConformanceTests {
    func run(_ executable: PluginExecutable, timeout: Duration = .seconds(2)) async throws -> [String: ConformanceResult] {
        try await withLeakCheck {
            let results = ConformanceSuite(executable: executable, timeout: timeout).run()
            #expect(results.map(\.name) == ConformanceSuite.caseNames)
            for result in results { expectReadable(result) }
            return Dictionary(uniqueKeysWithValues: results.map { ($0.name, $0) })
        }
    }

    /// A broken plugin gets a short timeout: most of its failures are waits.
    func runBroken(_ mode: String) async throws -> [String: ConformanceResult] {
        try await run(misbehaving(mode), timeout: .seconds(1))
    }

    /// A detail is a sentence for a person, never a dump of a Swift value.
    func expectReadable(_ result: ConformanceResult, sourceLocation: SourceLocation = #_sourceLocation) {
        for dump in ["Secscore_", "Optional(", "finding(", "error(", "UNRECOGNIZED", "SwiftProtobuf", "\\n"] {
            #expect(!result.detail.contains(dump), "\(result.name): \(result.detail)", sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: ["example-plugin-c", "example-plugin-swift"])
    func examplePluginsConform(_ name: String) async throws {
        let results = try await run(PluginExecutable(path: product(name)))
        for result in results.values {
            #expect(result.passed, "\(name) \(result.name): \(result.detail)")
        }
    }

    @Test func theSwiftTestPluginFailsOnlyForItsDeliberatelyFailingChecks() async throws {
        let results = try await run(PluginExecutable(path: product("test-plugin-swift")))
        for result in results.values where result.name != "every check" {
            #expect(result.passed, "test-plugin-swift \(result.name): \(result.detail)")
        }
        // test.throw and test.crash answer errors on purpose; a correct
        // plugin answers a finding (COULD_NOT_CHECK when it cannot decide).
        let every = try #require(results["every check"])
        #expect(!every.passed)
        #expect(every.detail.contains("test.throw, with every facet it declares present, with error CODE_FAILED_PRECONDITION (9) \"the snapshot is inconsistent\""))
        #expect(every.detail.contains("test.crash, with every facet it declares present, with error CODE_INTERNAL (13)"))
        #expect(!every.detail.contains("test.sleep"))
        // A required facet the request lacks is answered by the SDK.
        #expect(results["missing required facet"]?.detail.contains("COULD_NOT_CHECK") == true)
        // test.big's 6 MB finding does not fit a host that takes 64 KiB.
        #expect(results["message limit"]?.detail.contains("refused as too large: test.big") == true)
    }

    @Test func aPluginThatNeverAnswersFailsTheRequestCases() async throws {
        let results = try await runBroken("hang-mid-request")
        #expect(results["handshake"]?.passed == true)
        #expect(results["request"]?.passed == false)
        #expect(results["cancel"]?.passed == false)
        #expect(results["request"]?.detail.contains("no RESPONSE") == true)
    }

    @Test func aPluginThatAnswersTwiceFailsTheRequestAndHygieneCases() async throws {
        let results = try await runBroken("answer-twice")
        #expect(results["request"]?.passed == false)
        #expect(results["request"]?.detail.contains("answered request 1 twice, with a finding COMPLIANT (1) and then a finding COMPLIANT (1)") == true)
        #expect(results["stdout hygiene"]?.passed == false)
        #expect(results["stdout hygiene"]?.detail.contains("answered request 1 2 times") == true)
        #expect(results["cancel"]?.passed == false)
        #expect(results["cancel"]?.detail.contains("second RESPONSE") == true)
    }

    @Test func aPluginThatAlwaysAnswersInternalFails() async throws {
        let results = try await runBroken("always-internal")
        for name in ["request", "every check", "fragmented request"] {
            #expect(results[name]?.passed == false, "\(name)")
            #expect(
                results[name]?.detail.contains("with error CODE_INTERNAL (13) \"unexpected nil while unwrapping the tenant\"") == true,
                "\(name): \(results[name]?.detail ?? "")")
        }
        #expect(results["unknown requirement"]?.detail.contains("expected error CODE_UNIMPLEMENTED (12)") == true)
    }

    @Test func aPluginThatOnlyGetsTheHappyPathRightFailsTheProtocolErrorCases() async throws {
        let results = try await runBroken("raw")
        #expect(results["request"]?.passed == true)
        #expect(results["unknown frame before hello"]?.passed == false)
        #expect(results["unknown frame before hello"]?.detail.contains("exited with status 1 without a GOAWAY") == true)
        #expect(results["second hello"]?.passed == false)
        #expect(results["oversized frame"]?.passed == false)
        #expect(results["unknown requirement"]?.detail.contains("with a finding COMPLIANT (1)") == true)
    }

    @Test func anAnswerOverTheHostsMessageLimitFails() async throws {
        let raw = try await runBroken("big-answer")
        #expect(raw["message limit"]?.passed == false)
        #expect(raw["message limit"]?.detail.contains("HELLO's max_message_bytes was 65536") == true)
        // The C SDK turns the same answer into CODE_RESOURCE_EXHAUSTED.
        let sdk = try await runBroken("sdk-big-answer")
        #expect(sdk["message limit"]?.passed == true, "\(sdk["message limit"]?.detail ?? "")")
        #expect(sdk["message limit"]?.detail.contains("refused as too large: test.fault") == true)
        #expect(sdk["request"]?.passed == true)
    }

    @Test func aPluginThatPrintsToStdoutFailsEverything() async throws {
        let results = try await runBroken("garbage-before-handshake")
        #expect(results["handshake"]?.passed == false)
        #expect(results["handshake"]?.detail.contains("not a frame") == true)
        #expect(results["ping"]?.passed == false)
    }
}

/// `secscore plugin check`, the command plugin authors run.
@Suite("secscore plugin check")
struct PluginCheckCommandTests {
    /// A plugin file that runs the misbehaving fixture in `mode`: the
    /// command takes a path, not arguments.
    func wrapper(_ mode: String, in dir: ScratchDirectory) -> String {
        dir.script("plugin-\(mode)", "#!/bin/sh\nexec '\(product("test-plugin-misbehaving"))' \(mode) \"$@\"\n")
    }

    @Test func anAlwaysInternalPluginFailsWithReadableLines() async throws {
        let dir = ScratchDirectory()
        let out = try await runAndCapture(product("secscore"), ["plugin", "check", wrapper("always-internal", in: dir), "--timeout", "1"])
        #expect(out.status == 1)
        let lines = out.stdout.split(separator: "\n")
        let request = try #require(lines.first { $0.hasPrefix("FAIL  request ") })
        #expect(request.contains("with error CODE_INTERNAL (13) \"unexpected nil while unwrapping the tenant\""))
        #expect(lines.last?.contains("cases passed") == true)
        #expect(!out.stdout.contains("Secscore_") && !out.stdout.contains("Optional("))
    }

    @Test func aShippedPluginPassesEveryCase() async throws {
        let out = try await runAndCapture(product("secscore"), ["plugin", "check", product("example-plugin-c"), "--timeout", "2"])
        #expect(out.status == 0, "\(out.stdout)")
        let count = ConformanceSuite.caseNames.count
        #expect(out.stdout.contains("\(count) of \(count) cases passed"))
    }
}
