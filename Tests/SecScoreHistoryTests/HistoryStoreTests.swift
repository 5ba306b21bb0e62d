import Foundation
import GRDB
import SecScoreHistory
import SecScoreModel
import SecScoreTestSupport
import SecScoreWire
import TenantSnapshot
import Testing

/// Reports built from the built-in catalog, as the engine would build them.
enum Reports {
    static let catalog = try! CatalogLoader.builtIn()
    static let edition = catalog.edition(named: "2025-10")!

    static func item(_ kind: String, _ id: String, _ status: String, _ reasons: [String] = []) -> Secscore_Plugin_V1_EvidenceItem {
        Secscore_Plugin_V1_EvidenceItem(kind: kind, id: id, name: id, status: status, reasons: reasons, attributes: [])
    }

    /// statuses in catalog order (admin MFA, alerts, contact, budgets,
    /// customer MFA): "ok" or "no"; `admins` the admin-MFA items;
    /// `hours` the alerts' averageResponseHours metric.
    static func report(
        _ statuses: [String], admins: [Secscore_Plugin_V1_EvidenceItem] = [], hours: Double = 3, asOf: String = "2025-11-15"
    ) -> EvaluationReport {
        let rows = zip(edition.requirements, statuses).map { requirement, code -> RequirementResult in
            var finding = Secscore_Plugin_V1_Finding()
            finding.status = code == "ok" ? .compliant : .notCompliant
            finding.insights = ["\(requirement.id) is \(code)"]
            if requirement.id == "mfaEnforcedForAdmins" { finding.evidence.items = admins }
            if requirement.id == "securityAlertsPromptlyResolved" {
                var m = Secscore_Plugin_V1_Metric()
                m.name = "averageResponseHours"
                m.value = hours
                m.unit = "h"
                finding.evidence.metrics = [m]
            }
            return Scoring.result(of: finding, for: requirement, plugin: "p")
        }
        let partner = PartnerProfile(tenantID: "t-1", displayName: "Contoso", partnerType: .directBill)
        return EvaluationReport(edition: edition, asOf: CivilDate(asOf)!, partner: partner, partnerType: .directBill,
                                requirements: rows, futureRequirements: [])
    }
}

/// Databases stay open for a while: the suites hold the process lock so
/// other suites' descriptor leak checks do not count them.
@Suite("History store", .serialized)
struct HistoryStoreTests {
    func record(_ store: HistoryStore, _ report: EvaluationReport, at ms: Int64 = 1) async throws -> Int64 {
        try await store.record(report, partner: "t-1", partnerName: "Contoso", snapshotDigest: "d", recordedAtMs: ms, toolVersion: "test")
    }

    @Test func recordsEverythingAndReadsItBack() async throws {
        await processTestLock.lock()
        defer { Task { await processTestLock.unlock() } }
        let dir = ScratchDirectory()
        let store = try HistoryStore(path: dir.path + "/history.sqlite")
        let report = Reports.report(["no", "ok", "ok", "ok", "ok"], admins: [Reports.item("admin", "alice", "notCompliant", ["excluded by policy \"Break glass\""])])
        let id = try await record(store, report)
        let back = try #require(try store.evaluation(id: id))
        #expect(back.score == report.score && back.earnedPoints == 60 && back.maxPoints == 80)
        #expect(back.authorization == "not eligible" && back.partner == "t-1" && back.asOf == "2025-11-15")
        #expect(back.requirements.map(\.id) == Reports.edition.requirements.map(\.id))
        let mfa = try #require(back.requirements.first)
        #expect(mfa.status == "notCompleted" && mfa.points == 0 && mfa.maxPoints == 20 && mfa.type == "mandatory")
        let alice = try #require(mfa.items.first)
        #expect(mfa.items.count == 1 && alice.kind == "admin" && alice.id == "alice" && alice.status == "notCompliant")
        #expect(alice.reasons == ["excluded by policy \"Break glass\""])
        #expect(mfa.insights == ["mfaEnforcedForAdmins is no"])
        #expect(back.requirements[1].metrics.map { "\($0.name)=\($0.value)\($0.unit)" } == ["averageResponseHours=3.0h"])
        #expect(try store.partnerKey(for: "contoso") == "t-1")  // by name, any case
        #expect(try store.evaluations(of: "t-1").map(\.id) == [id])
        #expect(try store.evaluations(of: "t-1", sinceAsOf: "2025-12-01").isEmpty)
    }

    /// A fleet records partners from several tasks at once: every one lands
    /// whole.
    @Test func concurrentWritersAllLand() async throws {
        await processTestLock.lock()
        defer { Task { await processTestLock.unlock() } }
        let dir = ScratchDirectory()
        let store = try HistoryStore(path: dir.path + "/history.sqlite")
        let report = Reports.report(["ok", "ok", "ok", "ok", "ok"])
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<40 {
                group.addTask { _ = try await record(store, report, at: Int64(i)) }
            }
            try await group.waitForAll()
        }
        let all = try store.evaluations(of: "t-1")
        #expect(all.count == 40)
        for e in all { #expect(try store.evaluation(id: e.id)?.requirements.count == 5) }
    }

    /// A file that is not a history database is refused and never touched.
    @Test func corruptFileIsRefusedAndLeftAlone() throws {
        let dir = ScratchDirectory()
        let garbage = String(repeating: "this is not SQLite\n", count: 300)
        let path = dir.write("history.sqlite", garbage)
        #expect {
            _ = try HistoryStore(path: path)
        } throws: { error in
            let e = try #require(error as? HistoryError)
            return e.code == .notADatabase && e.description.hasPrefix(path + ": is not a secscore history database")
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == garbage)
    }

    /// A database from a newer secscore is refused, not downgraded.
    @Test func newerSchemaIsRefused() async throws {
        await processTestLock.lock()
        defer { Task { await processTestLock.unlock() } }
        let dir = ScratchDirectory()
        let path = dir.path + "/history.sqlite"
        _ = try HistoryStore(path: path)
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-the-future')") }
        try queue.close()
        #expect {
            _ = try HistoryStore(path: path)
        } throws: { error in
            (error as? HistoryError)?.code == .newerSchema
        }
    }

    /// A database written by the first released schema (committed as a
    /// file, never regenerated) opens, migrates, and keeps its rows.
    @Test func databaseOfThePreviousSchemaOpensAndKeepsItsRows() async throws {
        await processTestLock.lock()
        defer { Task { await processTestLock.unlock() } }
        let dir = ScratchDirectory()
        let path = dir.path + "/history.sqlite"
        try FileManager.default.copyItem(atPath: fixture("Tests/Fixtures/history/schema-v1.sqlite"), toPath: path)
        let store = try HistoryStore(path: path)
        let contoso = "8f3e2a10-5d2c-4c1e-9d7a-2f6b0c9e1a11"
        let old = try store.evaluations(of: contoso)
        #expect(old.map(\.asOf) == ["2025-11-01", "2025-11-15"] && old.map(\.score) == [100, 75])
        let first = try #require(try store.evaluation(id: old[0].id))
        #expect(first.requirements.count == 5 && first.requirements[0].items.first?.name == "alice@contoso.com")
        #expect(try store.partnerKey(for: "contoso") == contoso)
        // New rows go in beside the old ones.
        let id = try await record(store, Reports.report(["ok", "ok", "ok", "ok", "ok"]), at: 99)
        #expect(try store.evaluations(of: "t-1").map(\.id) == [id])
        #expect(try store.evaluations(of: contoso).count == 2)
        let queue = try DatabaseQueue(path: path)
        let applied = try await queue.read { db in try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier") }
        #expect(applied == ["v1", "v2"])
    }
}
