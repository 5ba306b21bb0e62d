import Foundation
import Glibc
import PluginHost
import SecScoreTestSupport
import SecScoreWire
import Testing

/// A dead plugin is started again for the next request, a crash loop ends in
/// a clear error, and no generation of the plugin is left running.
@Suite("Restarting plugins")
struct SupervisedPluginTests {
    static let quick = RestartPolicy(initialBackoff: .milliseconds(1), maxBackoff: .milliseconds(5))

    func launch(_ executable: PluginExecutable, policy: RestartPolicy = quick) async throws -> SupervisedPlugin {
        var c = fastConfiguration()
        c.restartPolicy = policy
        return SupervisedPlugin(try await PluginConnection.launch(executable, configuration: c), configuration: c, policy: policy)
    }

    /// Waits until the host has reaped `pid` (its I/O thread records the
    /// failure right after reaping), plus a margin.
    func waitUntilReaped(_ plugin: SupervisedPlugin, _ pid: Int32) async throws {
        for _ in 0..<500 {
            if !processExists(pid) { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        try await Task.sleep(for: .milliseconds(50))
    }

    @Test func killedWhileIdleIsRestartedForTheNextRequest() async throws {
        try await withLeakCheck {
            let plugin = try await launch(misbehaving("ok"))
            let first = try #require(plugin.processID)
            #expect(try await plugin.evaluate(request("test.fault")).result.get().status == .compliant)
            kill(first, SIGKILL)
            try await waitUntilReaped(plugin, first)
            let answer = await plugin.evaluate(request("test.fault"))
            #expect(try answer.result.get().status == .compliant)
            // Judged only after the process ended: before, it is not trusted.
            #expect(answer.laterFailure?.reason.contains("judged before its process ended") == true)
            let second = try #require(plugin.processID)
            await plugin.retire()
            #expect(answer.laterFailure == nil)
            #expect(!processIsAlive(second))
            #expect(plugin.restartCount == 1)
            #expect(plugin.recycleCount == 1)
            // The next request starts a fresh process; that is not a restart.
            #expect(try await plugin.evaluate(request("test.fault")).result.get().status == .compliant)
            #expect(plugin.restartCount == 1)
            #expect(plugin.processID != first && plugin.processID != second)
            #expect(!processIsAlive(first))
            await plugin.shutdown()
        }
    }

    @Test func theRequestInFlightFailsAndIsNotRetried() async throws {
        try await withLeakCheck {
            let plugin = try await launch(misbehaving("exit-mid-request"))
            let answer = await plugin.evaluate(request("test.fault"))
            #expect(throws: PluginError.self) { try answer.result.get() }
            #expect(plugin.restartCount == 0)
            await plugin.shutdown()
        }
    }

    @Test func aCrashLoopEndsInOneClearError() async throws {
        try await withLeakCheck {
            let plugin = try await launch(misbehaving("crash-mid-request"))
            var errors: [PluginError] = []
            for _ in 0..<8 {
                if case .failure(let e) = await plugin.evaluate(request("test.fault")).result { errors.append(e) }
            }
            #expect(errors.count == 8)
            #expect(plugin.restartCount == 5)
            let last = try #require(errors.last)
            #expect(last.description.contains("gave up after 5 restarts in a row without an answer"))
            #expect(last.description.contains("SIGSEGV"))
            await plugin.shutdown()
        }
    }

    @Test func anAnswerEndsTheStreak() async throws {
        try await withLeakCheck {
            let policy = RestartPolicy(maxConsecutiveFailures: 1, initialBackoff: .milliseconds(1))
            let plugin = try await launch(misbehaving("ok"), policy: policy)
            for round in 1...3 {
                let pid = try #require(plugin.processID)
                kill(pid, SIGKILL)
                try await waitUntilReaped(plugin, pid)
                #expect(try await plugin.evaluate(request("test.fault")).result.get().status == .compliant)
                #expect(plugin.restartCount == round)
            }
            await plugin.shutdown()
        }
    }

    @Test func restartsCanBeTurnedOff() async throws {
        try await withLeakCheck {
            let plugin = try await launch(misbehaving("ok"), policy: .never)
            let pid = try #require(plugin.processID)
            kill(pid, SIGKILL)
            try await waitUntilReaped(plugin, pid)
            let answer = await plugin.evaluate(request("test.fault"))
            #expect(throws: PluginError.self) { try answer.result.get() }
            if case .failure(let e) = answer.result { #expect(e.description.contains("restarts are off")) }
            await plugin.shutdown()
        }
    }

    @Test func aRestartThatDeclaresOtherChecksIsNotTrusted() async throws {
        try await withLeakCheck {
            let dir = ScratchDirectory()
            let flag = dir.path + "/started"
            let script = dir.script("secscore-plugin-shifty", """
                #!/bin/sh
                if [ -e \(flag) ]; then exec \(product("secscore-plugin-security-contact")); fi
                : > \(flag)
                exec \(product("test-plugin-misbehaving")) ok
                """)
            let plugin = try await launch(PluginExecutable(path: script))
            let pid = try #require(plugin.processID)
            kill(pid, SIGKILL)
            try await waitUntilReaped(plugin, pid)
            let answer = await plugin.evaluate(request("test.fault"))
            guard case .failure(let e) = answer.result else {
                Issue.record("a plugin that changed its checks was believed")
                return
            }
            #expect(e.code == .protocolViolation)
            #expect(e.description.contains("after a restart"))
            // It stays distrusted.
            await #expect(throws: PluginError.self) { try await plugin.evaluate(request("test.fault")).result.get() }
            await plugin.shutdown()
        }
    }

    @Test func concurrentRequestsShareOneRestart() async throws {
        try await withLeakCheck {
            let plugin = try await launch(misbehaving("ok"))
            let pid = try #require(plugin.processID)
            kill(pid, SIGKILL)
            try await waitUntilReaped(plugin, pid)
            let statuses = await withTaskGroup(of: Secscore_Plugin_V1_FindingStatus?.self) { group in
                for _ in 0..<16 {
                    group.addTask { try? await plugin.evaluate(request("test.fault")).result.get().status }
                }
                var all: [Secscore_Plugin_V1_FindingStatus?] = []
                for await s in group { all.append(s) }
                return all
            }
            #expect(statuses.allSatisfy { $0 == .compliant })
            #expect(plugin.restartCount == 1)
            await plugin.shutdown()
        }
    }
}

/// Starting a plugin: one that dies during its handshake is started again.
@Suite("Starting plugins")
struct StartRetryTests {
    @Test func aPluginKilledWhileStartingIsStartedAgain() async throws {
        try await withLeakCheck {
            let dir = ScratchDirectory()
            let flag = dir.path + "/started"
            let script = dir.script("secscore-plugin-flaky", """
                #!/bin/sh
                if [ -e \(flag) ]; then exec \(product("test-plugin-misbehaving")) ok; fi
                : > \(flag)
                exec \(product("test-plugin-misbehaving")) crash-before-handshake
                """)
            let set = try await PluginSet.launch([PluginExecutable(path: script)], configuration: fastConfiguration())
            #expect(set.launchFailures.isEmpty)
            let plugin = try #require(set.plugin(for: "test.fault"))
            #expect(plugin.restartCount == 1)
            #expect(try await plugin.evaluate(request("test.fault")).result.get().status == .compliant)
            await set.shutdown()
        }
    }

    @Test func oneThatAlwaysDiesIsGivenUpAfterTwoMoreTries() async throws {
        try await withLeakCheck {
            let dir = ScratchDirectory()
            let log = dir.path + "/starts"
            let script = dir.script("secscore-plugin-doomed", """
                #!/bin/sh
                echo x >> \(log)
                exec \(product("test-plugin-misbehaving")) crash-before-handshake
                """)
            let set = try await PluginSet.launch([PluginExecutable(path: script)], configuration: fastConfiguration())
            #expect(set.launchFailures.count == 1)
            #expect(set.launchFailures.first?.description.contains("exited before completing the handshake") == true)
            let starts = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").count
            #expect(starts == 3)
            await set.shutdown()
        }
    }

    @Test func oneThatRefusesIsNotStartedAgain() async throws {
        try await withLeakCheck {
            let set = try await PluginSet.launch([misbehaving("refuse-version")], configuration: fastConfiguration())
            #expect(set.launchFailures.first?.code == .refused)
            await set.shutdown()
        }
    }
}
