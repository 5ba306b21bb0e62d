import Glibc
@testable import PluginHost
import SecScoreTestSupport
import SecScoreWire
import SwiftProtobuf
import Testing

@Suite("Discovery, pinning and trust")
struct DiscoveryAndTrustTests {
    @Test func findsPluginsByPrefixEarlierFoldersWin() throws {
        let a = ScratchDirectory()
        let b = ScratchDirectory()
        _ = a.script("secscore-plugin-one", "#!/bin/sh\n")
        _ = b.script("secscore-plugin-one", "#!/bin/sh\n")
        _ = b.script("secscore-plugin-two", "#!/bin/sh\n")
        _ = b.script("not-a-plugin", "#!/bin/sh\n")
        let path = PluginDiscovery.searchPath(
            pluginDirectories: [a.path], environment: ["SECSCORE_PLUGIN_PATH": b.path + ":/nonexistent"], executableDirectory: nil)
        #expect(path == [a.path, b.path, "/nonexistent"])
        let found = PluginDiscovery.discover(in: path)
        #expect(found.map(\.path) == [a.path + "/secscore-plugin-one", b.path + "/secscore-plugin-two"])
    }

    @Test func lockFileParsesSha256sumFormat() throws {
        let digest = String(repeating: "ab", count: 32)
        let lock = try PluginLock(text: "# pins\n\(digest)  secscore-plugin-one\n\(digest.uppercased()) *./dir/secscore-plugin-two\n", path: "plugins.lock")
        #expect(lock.digest(for: "secscore-plugin-one") == digest)
        #expect(lock.digest(for: "secscore-plugin-two") == digest)
        #expect(throws: PluginLockError.self) { try PluginLock(text: "nonsense\n", path: "plugins.lock") }
        do {
            _ = try PluginLock(text: "abc  x\n", path: "plugins.lock")
        } catch {
            #expect(error.description.hasPrefix("plugins.lock:1: expected"))
        }
    }

    @Test func pinnedDigestIsCheckedOnTheOpenedFile() async throws {
        try await withLeakCheck {
            let plugin = PluginExecutable(path: product("example-plugin-c"))
            let digest = try plugin.sha256()
            #expect(digest.count == 64)
            var pinned = plugin
            pinned.pinnedSHA256 = digest
            let connection = try await PluginConnection.launch(pinned, configuration: fastConfiguration())
            await connection.shutdown()

            pinned.pinnedSHA256 = String(repeating: "0", count: 64)
            do {
                _ = try await PluginConnection.launch(pinned, configuration: fastConfiguration())
                Issue.record("a changed binary must be refused")
            } catch let error as PluginError {
                #expect(error.code == .untrusted)
                #expect(error.description.contains("the binary changed since it was pinned"))
            }
        }
    }

    @Test func groupOrWorldWritablePluginsAreRefused() async throws {
        try await withLeakCheck {
            let dir = ScratchDirectory()
            let path = dir.script("secscore-plugin-open", "#!/bin/sh\nexit 0\n", mode: 0o777)
            chmod(path, 0o777)
            do {
                _ = try await PluginConnection.launch(PluginExecutable(path: path), configuration: fastConfiguration())
                Issue.record("a world-writable plugin must be refused")
            } catch let error as PluginError {
                #expect(error.code == .untrusted)
                #expect(error.description.contains("writable by group or others"))
            }
        }
    }

    @Test func scriptPluginsRunThroughTheirInterpreter() async throws {
        try await withLeakCheck {
            let dir = ScratchDirectory()
            let path = dir.script("secscore-plugin-wrapper", "#!/bin/sh\nexec \(product("example-plugin-c")) \"$@\"\n")
            var pinned = PluginExecutable(path: path)
            pinned.pinnedSHA256 = try pinned.sha256()
            let connection = try await PluginConnection.launch(pinned, configuration: fastConfiguration())
            #expect(connection.info.name == "example-contact-domain")
            await connection.shutdown()
        }
    }

    @Test func pluginEnvironmentIsScrubbed() async throws {
        setenv("SECSCORE_TEST_SECRET", "hunter2", 1)
        defer { unsetenv("SECSCORE_TEST_SECRET") }
        try await withLeakCheck {
            let connection = try await PluginConnection.launch(misbehaving("sdk-env-dump"), configuration: fastConfiguration())
            let finding = try await connection.evaluate(request("test.fault"))
            #expect(!finding.insights.contains { $0.contains("hunter2") || $0.contains("SECSCORE_TEST_SECRET") })
            #expect(Set(finding.insights) == ["PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8", "TZ=UTC", "SECSCORE_PLUGIN_PROTOCOL=1"])
            await connection.shutdown()
        }
    }

    @Test func cSDKExplainsUnparsableRequests() async throws {
        try await withLeakCheck {
            let session = try RawSession(PluginExecutable(path: product("example-plugin-c")))
            var hello = Secscore_Plugin_V1_Hello()
            hello.protocolMajors = [1]
            session.send(.hello, payload: try hello.serializedBytes())
            #expect(try session.receive(timeout: .seconds(5))?.type == .welcome)
            session.send(.request, id: 1, payload: [0x0A, 0x7F, 0x41])  // field 1 claims 127 bytes, has 1
            let message = try #require(try session.receive(timeout: .seconds(5)))
            let response = try Secscore_Plugin_V1_EvaluateResponse(serializedBytes: message.payload)
            #expect(response.error.code == .invalidArgument)
            #expect(response.error.message.contains("length-delimited field 1 at byte 0 claims more bytes than the message has"))
            session.closeStdin()
            #expect(session.waitForExit(timeout: .seconds(5)) == .exited(0))
        }
    }
}

@Suite("Plugin sets")
struct PluginSetTests {
    @Test func twoPluginsForOneRequirementIsAnErrorNamingBoth() async throws {
        try await withLeakCheck {
            let dir = ScratchDirectory()
            let a = dir.script("secscore-plugin-a", "#!/bin/sh\nexec \(product("example-plugin-c"))\n")
            let b = dir.script("secscore-plugin-b", "#!/bin/sh\nexec \(product("example-plugin-c"))\n")
            do {
                _ = try await PluginSet.launch([PluginExecutable(path: a), PluginExecutable(path: b)], configuration: fastConfiguration())
                Issue.record("a duplicate requirement must be refused")
            } catch let error as PluginSetError {
                #expect(error.description.contains("requirement example.contactDomain is declared by both"))
                #expect(error.description.contains(a) && error.description.contains(b))
            }
        }
    }

    @Test func aPluginThatFailsToStartDoesNotStopTheOthers() async throws {
        try await withLeakCheck {
            let set = try await PluginSet.launch(
                [PluginExecutable(path: product("example-plugin-c")), misbehaving("crash-before-handshake")],
                configuration: fastConfiguration())
            #expect(set.requirementIDs == ["example.contactDomain"])
            #expect(set.launchFailures.count == 1)
            #expect(set.launchFailures[0].description.contains("SIGABRT"))
            await set.shutdown()
        }
    }
}
