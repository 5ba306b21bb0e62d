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

/// Handlers for SIGINT and friends are the host program's choice, made in
/// its `main`: spawning a plugin installs none of them (issue 11, point 6).
@Suite("Process-wide signal handling")
struct TerminationHandlerTests {
    /// A fresh program embedding PluginHost reports its dispositions: no other
    /// test of this process can have installed anything before it.
    @Test func spawningInstallsNothingButTheExplicitCallDoes() async throws {
        let out = try await runAndCapture(product("test-host-embedder"), [product("example-plugin-swift")])
        #expect(out.status == 0, "\(out.stdout)\(out.stderr)")
        let lines = out.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 4, "\(lines)")
        guard lines.count == 4 else { return }
        // "name=disposition" pairs after the line's first word.
        func dispositions(_ line: String) -> [String: String] {
            Dictionary(uniqueKeysWithValues: line.split(separator: " ").dropFirst().map { pair in
                let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                return (parts[0], parts.count > 1 ? parts[1] : "")
            })
        }
        let (before, afterSpawn, afterInstall) = (dispositions(lines[0]), dispositions(lines[2]), dispositions(lines[3]))
        let terminating = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"]
        #expect(lines[1] == "session exited with status 0")
        #expect(["SIGINT", "SIGTERM", "SIGHUP"].allSatisfy { before[$0] == "default" }, "\(lines[0])")
        #expect(before["SIGPIPE"] == "default")
        // After a whole session: the termination signals as they were;
        // SIGPIPE ignored, so that a write to a dead plugin fails with EPIPE.
        for signal in terminating { #expect(afterSpawn[signal] == before[signal], "\(signal): \(lines[2])") }
        #expect(afterSpawn["SIGPIPE"] == "ignore")
        #expect(afterSpawn["installed"] == "false")
        // After the explicit call: one handler, ours, on all four.
        let ours = afterInstall["SIGINT"] ?? ""
        #expect(ours.hasPrefix("handler:"), "\(lines[3])")
        for signal in terminating { #expect(afterInstall[signal] == ours, "\(signal): \(lines[3])") }
        #expect(afterInstall["SIGQUIT"] != before["SIGQUIT"])
        #expect(afterInstall["installed"] == "true")
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
