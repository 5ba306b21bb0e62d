import SecScoreHistory
import SecScoreModel
import SecScoreTestSupport
import Testing

@Suite("What changed between two runs", .serialized)
struct ChangeSetTests {
    func changes(_ old: EvaluationReport, _ new: EvaluationReport) async throws -> [Change] {
        let dir = ScratchDirectory()
        let store = try HistoryStore(path: dir.path + "/h.sqlite")
        let a = try await store.record(old, partner: "t-1", partnerName: "Contoso", snapshotDigest: "a", recordedAtMs: 1, toolVersion: "t")
        let b = try await store.record(new, partner: "t-1", partnerName: "Contoso", snapshotDigest: "b", recordedAtMs: 2, toolVersion: "t")
        return ChangeSet.between(try #require(try store.evaluation(id: a)), try #require(try store.evaluation(id: b)))
    }

    @Test func adminWhoLostCoverageAndWhy() async throws {
        await processTestLock.lock()
        defer { Task { await processTestLock.unlock() } }
        let old = Reports.report(["ok", "ok", "ok", "ok", "ok"], admins: [Reports.item("admin", "alice", "compliant")])
        let new = Reports.report(["no", "ok", "ok", "ok", "ok"], admins: [
            Reports.item("admin", "alice", "notCompliant", ["excluded from policy \"Require MFA for admins\" by group \"Break glass\""]),
            Reports.item("admin", "bob", "compliant"),
        ])
        let texts = try await changes(old, new).map(\.text)
        let title = Reports.edition.requirements[0].title
        #expect(texts == [
            "Score 100.00 → 75.00 (80 → 60 of 80 points)",
            "CSP authorization: eligible → not eligible",
            "\(title): completed → not completed (-20 points)",
            "admin alice lost MFA coverage: excluded from policy \"Require MFA for admins\" by group \"Break glass\"",
            "new admin bob: compliant",
        ])
    }

    @Test func pointsWonAndMeasuresThatMoved() async throws {
        await processTestLock.lock()
        defer { Task { await processTestLock.unlock() } }
        let old = Reports.report(["ok", "no", "ok", "ok", "ok"], hours: 30)
        let new = Reports.report(["ok", "ok", "ok", "ok", "ok"], hours: 4.5)
        let all = try await changes(old, new)
        let alerts = Reports.edition.requirements[1].title
        #expect(all.map(\.text) == [
            "Score 87.50 → 100.00 (70 → 80 of 80 points)",
            "CSP authorization: not eligible → eligible",
            "\(alerts): not completed → completed (+10 points)",
            "\(alerts): averageResponseHours 30 → 4.5 h",
        ])
        #expect(all.map(\.points) == [10, 0, 10, 0])
    }

    @Test func sameDataNoChanges() async throws {
        await processTestLock.lock()
        defer { Task { await processTestLock.unlock() } }
        let report = Reports.report(["ok", "no", "ok", "ok", "no"], admins: [Reports.item("admin", "alice", "compliant")])
        #expect(try await changes(report, report).isEmpty)
    }

    @Test func itemsThatComeAndGo() async throws {
        await processTestLock.lock()
        defer { Task { await processTestLock.unlock() } }
        let old = Reports.report(["no", "ok", "ok", "ok", "ok"], admins: [Reports.item("admin", "carol", "notCompliant", ["no MFA registered"])])
        let new = Reports.report(["no", "ok", "ok", "ok", "ok"], admins: [
            Reports.item("admin", "dave", "notCompliant", ["per-user MFA disabled"]),
        ])
        #expect(try await changes(old, new).map(\.text) == [
            "new admin dave: not compliant: per-user MFA disabled",
            "admin carol is no longer listed (was not compliant)",
        ])
    }
}
