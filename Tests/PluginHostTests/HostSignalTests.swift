import Glibc
import PluginHost
import SecScoreTestSupport
import Testing

/// The host, interrupted while plugins run, takes them with it.
@Suite("Host interruption")
struct HostSignalTests {
    static let example = fixture("Examples/snapshots/contoso-direct-bill")

    @Test(arguments: [SIGINT, SIGTERM])
    func interruptedHostKillsItsPlugins(_ signal: Int32) async throws {
        try await withLeakCheck {
            let dir = ScratchDirectory()
            // A plugin that never finishes its handshake, plus one that forks a grandchild.
            _ = dir.script("secscore-plugin-stuck", "#!/bin/sh\nexec \(product("test-plugin-misbehaving")) hang-before-handshake\n")
            _ = dir.script("secscore-plugin-forks", "#!/bin/sh\nexec \(product("test-plugin-misbehaving")) grandchild\n")
            let host = try RawSession(PluginExecutable(
                path: product("secscore"), arguments: ["evaluate", Self.example, "--plugin-dir", dir.path, "--as-of", "2025-11-15"]))
            // Wait until the host has started its plugins.
            var plugins: [Int32] = []
            for _ in 0..<200 {
                plugins = descendants(of: host.processID)
                if plugins.count >= 8 { break }  // 5 shipped + 2 scripts + 1 grandchild
                usleep(20_000)
            }
            #expect(plugins.count >= 8, "plugins seen: \(plugins.count)")
            kill(host.processID, signal)
            let status = host.waitForExit(timeout: .seconds(5))
            #expect(status == .signaled(signal), "host ended: \(String(describing: status))")
            // Every plugin and grandchild is gone (killed; init reaps them).
            var alive = plugins.filter(processIsAlive)
            for _ in 0..<50 where !alive.isEmpty {
                usleep(20_000)
                alive = plugins.filter(processIsAlive)
            }
            #expect(alive.isEmpty, "still alive after the host was interrupted: \(alive)")
        }
    }
}

/// All processes below `pid`.
func descendants(of pid: Int32) -> [Int32] {
    var result: [Int32] = []
    var frontier = [pid]
    while let p = frontier.popLast() {
        let kids = childProcesses(of: p)
        result += kids
        frontier += kids
    }
    return result
}
