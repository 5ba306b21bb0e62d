import PluginConformance
import PluginHost
import SecScoreTestSupport
import Testing

@Suite("Conformance suite")
struct ConformanceTests {
    func run(_ executable: PluginExecutable) async throws -> [String: ConformanceResult] {
        try await withLeakCheck {
            let results = ConformanceSuite(executable: executable, timeout: .seconds(2)).run()
            #expect(results.map(\.name) == ConformanceSuite.caseNames)
            return Dictionary(uniqueKeysWithValues: results.map { ($0.name, $0) })
        }
    }

    @Test(arguments: ["example-plugin-c", "example-plugin-swift", "test-plugin-swift"])
    func shippedAndExamplePluginsConform(_ name: String) async throws {
        let results = try await run(PluginExecutable(path: product(name)))
        for result in results.values {
            #expect(result.passed, "\(name) \(result.name): \(result.detail)")
        }
    }

    @Test func aPluginThatNeverAnswersFailsTheRequestCases() async throws {
        let results = try await run(misbehaving("hang-mid-request"))
        #expect(results["handshake"]?.passed == true)
        #expect(results["request"]?.passed == false)
        #expect(results["cancel"]?.passed == false)
        #expect(results["request"]?.detail.contains("no RESPONSE") == true)
    }

    @Test func aPluginThatAnswersTwiceFailsCancel() async throws {
        let results = try await run(misbehaving("answer-twice"))
        #expect(results["cancel"]?.passed == false)
        #expect(results["cancel"]?.detail.contains("second RESPONSE") == true)
    }

    @Test func aPluginThatPrintsToStdoutFailsEverything() async throws {
        let results = try await run(misbehaving("garbage-before-handshake"))
        #expect(results["handshake"]?.passed == false)
        #expect(results["handshake"]?.detail.contains("not a frame") == true)
        #expect(results["ping"]?.passed == false)
    }
}
