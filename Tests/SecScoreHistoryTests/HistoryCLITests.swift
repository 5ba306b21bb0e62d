import Foundation
import GRDB
import SecScoreHistory
import SecScoreTestSupport
import Testing

/// `--history`, `secscore history` and `secscore changes` through the real
/// CLI and plugins.
@Suite("History through the CLI", .serialized)
struct HistoryCLITests {
    func secscore(_ arguments: [String]) async throws -> CommandOutput {
        try await runAndCapture(product("secscore"), arguments, environment: ["PATH": "/usr/bin:/bin", "COLUMNS": "100"])
    }

    /// Two runs on changed data: the second report says what changed and
    /// why, and `changes` prints the same.
    @Test func secondRunSaysWhatChanged() async throws {
        let dir = ScratchDirectory()
        let snapshot = dir.path + "/contoso"
        try FileManager.default.copyItem(atPath: fixture("Examples/snapshots/contoso-direct-bill"), toPath: snapshot)
        let db = dir.path + "/history.sqlite"
        let first = try await secscore(["evaluate", snapshot, "--as-of", "2025-11-01", "--history", db, "--format", "json"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("\"previousAsOf\": null"))
        // The MFA policy is switched off between the runs.
        let policies = snapshot + "/conditionalAccessPolicies.json"
        let text = try String(contentsOfFile: policies, encoding: .utf8)
        try text.replacingOccurrences(of: "\"state\": \"enabled\"", with: "\"state\": \"disabled\"")
            .write(toFile: policies, atomically: true, encoding: .utf8)
        let second = try await secscore(["evaluate", snapshot, "--as-of", "2025-11-15", "--history", db, "--format", "markdown"])
        #expect(second.status == 1, "\(second.stderr)")
        #expect(second.stdout.contains("## Changed since the last run"))
        #expect(second.stdout.contains("Score 100.00 → "))
        #expect(second.stdout.contains("admin alice@contoso.com lost MFA coverage: not covered by any MFA requirement"))
        #expect(second.stdout.contains("is disabled"))
        let changes = try await secscore(["changes", "--history", db, "contoso"])
        #expect(changes.status == 0)
        #expect(changes.stdout.contains("run 1 (as of 2025-11-01) → run 2 (as of 2025-11-15)"))
        #expect(changes.stdout.contains("- CSP authorization: eligible → not eligible"))
        let trend = try await secscore(["history", "--history", db, "Contoso"])
        #expect(trend.stdout.contains("2025-11-01  1     100.00"))
        #expect(trend.stdout.contains("2025-11-15  2"))
    }

    /// A corrupt database: exit 2, a clear error, the file never touched,
    /// and nothing evaluated.
    @Test func corruptDatabaseExitsTwoAndIsLeftAlone() async throws {
        let dir = ScratchDirectory()
        let garbage = String(repeating: "not a database\n", count: 400)
        let db = dir.write("history.sqlite", garbage)
        let out = try await secscore(["evaluate", fixture("Examples/snapshots/contoso-direct-bill"), "--as-of", "2025-11-15", "--history", db])
        #expect(out.status == 2)
        #expect(out.stderr.hasPrefix("error: \(db): is not a secscore history database"))
        #expect(out.stdout.isEmpty)
        #expect(try String(contentsOfFile: db, encoding: .utf8) == garbage)
        #expect(try await secscore(["history", "--history", db]).status == 2)
    }

    /// kill -9 in the middle of a fleet: every evaluation committed before
    /// the kill is whole and readable, and the database opens again.
    @Test func killedFleetKeepsEveryCommittedRow() async throws {
        let dir = ScratchDirectory()
        let fleet = dir.path + "/fleet"
        let synth = try await secscore(["synth", fleet, "--fleet", "400", "--users", "20", "--admins", "3", "--customers", "3"])
        #expect(synth.status == 0, "\(synth.stderr)")
        let db = dir.path + "/history.sqlite"
        // A child process and open databases: hold the lock the leak checks
        // of other suites take.
        await processTestLock.lock()
        defer { Task { await processTestLock.unlock() } }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: product("secscore"))
        process.arguments = ["evaluate", "--fleet", fleet, "--as-of", "2025-11-15", "--history", db, "--fail-on", "none"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait for a few partners to be committed, then kill without warning.
        var committed = 0
        for _ in 0..<1500 where committed < 5 {
            try await Task.sleep(for: .milliseconds(20))
            committed = (try? countEvaluations(db)) ?? 0
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal, "the fleet finished before it could be killed")
        let store = try HistoryStore(path: db)
        let partners = try store.partners()
        #expect(partners.count >= 5 && partners.count < 400)
        for partner in partners {
            for run in try store.evaluations(of: partner.partner) {
                let whole = try #require(try store.evaluation(id: run.id))
                #expect(whole.requirements.count == 5, "evaluation \(run.id) of \(partner.partner) is not whole")
                #expect(whole.requirements.contains { !$0.items.isEmpty })
            }
        }
    }

    func countEvaluations(_ path: String) throws -> Int {
        guard FileManager.default.fileExists(atPath: path) else { return 0 }
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        return try queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM evaluation") ?? 0 }
    }
}
