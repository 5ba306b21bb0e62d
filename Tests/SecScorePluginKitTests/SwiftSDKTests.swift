import Logging
import PluginHost
import SecScoreTestSupport
import SecScoreWire
import Synchronization
import Testing

/// The Swift SDK's duties, checked through the real host against a real
/// plugin process built on it.
@Suite("Swift SDK")
struct SwiftSDKTests {
    let plugin = PluginExecutable(path: product("test-plugin-swift"))

    func withPlugin(
        logs: LogCollector? = nil, _ body: (PluginConnection) async throws -> Void
    ) async throws {
        try await withLeakCheck {
            let connection = try await PluginConnection.launch(plugin, configuration: fastConfiguration(logs: logs))
            try await body(connection)
            #expect(await connection.shutdown() == .exited(0))
        }
    }

    @Test func printGoesToStderrNotTheProtocol() async throws {
        let logs = LogCollector()
        try await withPlugin(logs: logs) { connection in
            let finding = try await connection.evaluate(request("test.print"))
            #expect(finding.insights == ["printed"])
            #expect(connection.failure == nil)
        }
        #expect(logs.all.contains { $0.source == .stderr && $0.message.contains("this print must go to stderr") })
    }

    @Test func checkErrorBecomesCallError() async throws {
        try await withPlugin { connection in
            do {
                _ = try await connection.evaluate(request("test.throw"))
                Issue.record("expected an error")
            } catch let error as PluginError {
                #expect(error.code == .pluginReported)
                #expect(error.callCode == .failedPrecondition)
                #expect(error.description.contains("the snapshot is inconsistent"))
            }
            do {
                _ = try await connection.evaluate(request("test.crash"))
                Issue.record("expected an error")
            } catch let error as PluginError {
                #expect(error.callCode == .internal)
            }
            // The session survives both.
            #expect(try await connection.evaluate(request("test.sleep")).status == .compliant)
        }
    }

    @Test func deadlineIsEnforcedByTheSDK() async throws {
        try await withPlugin { connection in
            let clock = ContinuousClock()
            let start = clock.now
            do {
                _ = try await connection.evaluate(request("test.sleep", parameters: ["ms": "5000"]), timeout: .milliseconds(200))
                Issue.record("expected a deadline error")
            } catch let error as PluginError {
                // Host and plugin share the deadline: whichever side notices
                // first ends the call, the host's timer or the SDK's watchdog.
                #expect(error.code == .deadlineExceeded || error.callCode == .deadlineExceeded, "\(error)")
            }
            #expect(clock.now - start < .seconds(2))
            // The SDK answered the cancelled request in time: still healthy.
            try await Task.sleep(for: .milliseconds(700))
            #expect(connection.failure == nil)
            #expect(try await connection.evaluate(request("test.sleep")).status == .compliant)
        }
    }

    @Test func cancellingTheCallerCancelsTheCheck() async throws {
        try await withPlugin { connection in
            let task = Task { try await connection.evaluate(request("test.sleep", parameters: ["ms": "5000"])) }
            try await Task.sleep(for: .milliseconds(100))
            task.cancel()
            let result = await task.result
            #expect(throws: PluginError.self) { try result.get() }
            try await Task.sleep(for: .milliseconds(700))
            #expect(connection.failure == nil)
        }
    }

    @Test func requestsRunConcurrentlyUpToTheDeclaredLimit() async throws {
        try await withPlugin { connection in
            #expect(connection.info.maxConcurrentRequests == 8)
            let clock = ContinuousClock()
            let start = clock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<8 {
                    group.addTask { _ = try await connection.evaluate(request("test.sleep", parameters: ["ms": "300"])) }
                }
                try await group.waitForAll()
            }
            // Eight 300 ms sleeps side by side, not one after another (2.4 s).
            #expect(clock.now - start < .milliseconds(1500))
        }
    }

    @Test func onlyDeclaredFacetsAndParametersArrive() async throws {
        try await withPlugin { connection in
            var facets = Secscore_Tenant_V1_Facets()
            facets.securityContact.email = "soc@contoso.com"
            let finding = try await connection.evaluate(request("test.echo", facets: facets, parameters: ["answer": "42"]))
            #expect(finding.insights == ["answer=42", "securityContact=present", "users=absent", "asOf=2025-11-01"])
        }
    }

    /// The SDK's swift-log records travel as LOG frames and come out of the
    /// host as swift-log records with the plugin's name, pid, level and fields.
    @Test func logsAndProgressReachTheHost() async throws {
        let logs = LogCollector()
        var pid: Int32?
        try await withPlugin(logs: logs) { connection in
            pid = connection.processID
            let progress = Lines()
            _ = try await connection.evaluate(request("test.log")) { p in
                progress.append("\(p.completed)/\(p.total) \(p.message)")
            }
            #expect(progress.all == ["1/2 half", "2/2 done"])
        }
        let frames = logs.all.filter { $0.source == .logFrame }
        #expect(frames.map(\.message) == ["working", "detail", "from a library"])
        #expect(frames.map(\.level) == [.info, .debug, .warning])
        #expect(frames.map { $0.fields.map { "\($0.0)=\($0.1)" } } == [["step=1"], ["k=v"], []])
        for record in frames {
            #expect(record.plugin == "swift-test-plugin")
            #expect(record.pid != nil && record.pid == pid)
            #expect(record.requestID != nil)
        }
    }

    /// Nothing below the level the host asked for in HELLO leaves the plugin.
    @Test func theHostsLevelFiltersInThePlugin() async throws {
        let logs = LogCollector()
        try await withLeakCheck {
            var configuration = fastConfiguration(logs: logs)
            configuration.logger.logLevel = .info
            let connection = try await PluginConnection.launch(plugin, configuration: configuration)
            _ = try await connection.evaluate(request("test.log"))
            #expect(await connection.shutdown() == .exited(0))
            // The debug line was never sent: only two LOG frames counted.
            #expect(connection.statistics.logRecords == 2)
        }
        #expect(logs.all.filter { $0.source == .logFrame }.map(\.message) == ["working", "from a library"])
    }

    // A check runs on the thread that read its request while the SDK's
    // other thread stands by (ReaderRelay). These prove the standby takes
    // over reading when a check never yields: `test.busy` spins without
    // looking at cancellation.

    @Test func requestsAreAnsweredWhileChecksThatNeverYieldSpin() async throws {
        try await withPlugin { connection in
            let clock = ContinuousClock()
            // The first spins on the reading thread; the second arrives at
            // the thread that took over, which has no standby and runs it
            // on the pool; the third must still be read and answered.
            let first = Task { try await connection.evaluate(request("test.busy", parameters: ["ms": "2000"])) }
            try await Task.sleep(for: .milliseconds(100))
            let second = Task { try await connection.evaluate(request("test.busy", parameters: ["ms": "2000"])) }
            try await Task.sleep(for: .milliseconds(100))
            let start = clock.now
            #expect(try await connection.evaluate(request("test.sleep")).status == .compliant)
            #expect(clock.now - start < .milliseconds(1000), "answered only after a spinning check returned")
            #expect(try await first.value.insights == ["spun 2000 ms"])
            #expect(try await second.value.insights == ["spun 2000 ms"])
            // Back to one reader with a standby: quick checks still answer.
            for _ in 0..<50 { #expect(try await connection.evaluate(request("test.sleep")).status == .compliant) }
        }
    }

    @Test func theDeadlineOfACheckThatNeverYieldsIsAnsweredInTime() async throws {
        try await withPlugin { connection in
            do {
                _ = try await connection.evaluate(request("test.busy", parameters: ["ms": "1500"]), timeout: .milliseconds(200))
                Issue.record("expected a deadline error")
            } catch let error as PluginError {
                #expect(error.code == .deadlineExceeded || error.callCode == .deadlineExceeded, "\(error)")
            }
            // The host allows 500 ms for the plugin to end the request after
            // the deadline; the check still spins until 1500 ms, so only the
            // standby thread can have answered.
            try await Task.sleep(for: .milliseconds(800))
            #expect(connection.failure == nil)
            #expect(try await connection.evaluate(request("test.sleep")).status == .compliant)
        }
    }

    @Test func cancellingACheckThatNeverYieldsIsAnsweredInTime() async throws {
        try await withPlugin { connection in
            let task = Task { try await connection.evaluate(request("test.busy", parameters: ["ms": "1500"])) }
            try await Task.sleep(for: .milliseconds(100))
            task.cancel()
            let result = await task.result
            #expect(throws: PluginError.self) { try result.get() }
            try await Task.sleep(for: .milliseconds(800))
            #expect(connection.failure == nil)
            #expect(try await connection.evaluate(request("test.sleep")).status == .compliant)
        }
    }

    @Test func cancellationReachesACheckStillInItsInlineRun() async throws {
        let logs = LogCollector()
        try await withPlugin(logs: logs) { connection in
            // test.count loops for `ms` watching Task.isCancelled and never
            // suspends, so the deadline cancels it while it still runs on
            // the reading thread, before its Task handle exists.
            do {
                _ = try await connection.evaluate(request("test.count", parameters: ["ms": "3000"]), timeout: .milliseconds(200))
                Issue.record("expected a deadline error")
            } catch let error as PluginError {
                #expect(error.code == .deadlineExceeded || error.callCode == .deadlineExceeded, "\(error)")
            }
            var line: String?
            for _ in 0..<100 where line == nil {
                line = logs.all.first { $0.source == .stderr && $0.message.contains("test.count cancelled after") }?.message
                if line == nil { try await Task.sleep(for: .milliseconds(20)) }
            }
            let ms = line.flatMap { Int($0.split(separator: " ").dropLast().last ?? "") }
            #expect(ms.map { $0 < 1000 } == true, "the check was not cancelled: \(line ?? "no line")")
            #expect(try await connection.evaluate(request("test.sleep")).status == .compliant)
        }
    }

    @Test func largeFindingIsFragmentedAndReassembled() async throws {
        try await withPlugin { connection in
            // 6 MB in fragments; a deadline no loaded machine misses.
            let finding = try await connection.evaluate(request("test.big"), timeout: .seconds(60))
            // Reassembled whole, then bounded by the host (FindingLimits).
            #expect(finding.insights.count == FindingLimits.maxInsights + 1)
            #expect(finding.insights.dropLast().allSatisfy { $0.count == 1000 })
            #expect(finding.insights.last == "… and 5900 more insights, not shown (at most 100)")
        }
    }

    @Test func describePrintsTheManifest() async throws {
        let output = try await runAndCapture(product("test-plugin-swift"), ["--describe"])
        #expect(output.status == 0)
        #expect(output.stdout.contains("\"pluginName\":\"swift-test-plugin\""))
        #expect(output.stdout.contains("\"requirementId\":\"test.echo\""))
        #expect(output.stdout.contains("\"requiredFacets\":[\"FACET_SECURITY_CONTACT\"]"))
    }
}

/// Lines collected from callbacks on other threads.
final class Lines: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}
