import Foundation
import SecScoreTestSupport
import TenantSnapshot
import Testing

/// `microsoftScore.json`: Graph beta partner security score with its
/// requirements and history, quirks included.
@Suite("microsoftScore.json")
struct MicrosoftScoreTests {
    func read(_ text: String) throws -> MicrosoftScore {
        try MicrosoftScoreReader.read(Array(text.utf8), file: "microsoftScore.json")
    }

    @Test func theShapedExampleReads() throws {
        let score = try MicrosoftScoreReader.read(Array(try String(contentsOfFile: fixture("Tests/Fixtures/microsoft-score/microsoftScore.json"), encoding: .utf8).utf8), file: "m")
        #expect(score.currentScore == 57.14 && score.maxScore == 100)
        let types = score.requirements.map(\.requirementType)
        #expect(types.contains("securityContactProvided") && types.contains("adminSignInsPhishingResistant"))
        // noncomplaint (Graph's spelling) and noncompliant are the same.
        let statuses = Dictionary(score.requirements.map { ($0.requirementType, $0.compliance) }, uniquingKeysWith: { a, _ in a })
        #expect(statuses["mfaEnabledForAdmins"] == .noncompliant && statuses["spendingBudgetSetForCustomerAzureSubscriptions"] == .noncompliant)
        // Numbers as strings and as numbers; a derived type's counts kept.
        let alerts = try #require(score.requirements.first { $0.requirementType == "securityAlertsPromptlyResolved" })
        #expect(alerts.counts["averageResponseTimeInHours"] == 31.5)
        #expect(score.history.map(\.score) == [42.86, 57.14])  // oldest first
        #expect(score.history.first?.compliantRequirementsCount == 3)
    }

    @Test func unknownStatusStaysUnknown() throws {
        let s = try read(#"{"currentScore": 1, "requirements": [{"requirementType": "x", "complianceStatus": "unknownFutureValue"}, {"id": "y"}]}"#)
        #expect(s.requirements.map(\.compliance) == [.unknown("unknownFutureValue"), .unknown("absent")])
        #expect(s.requirements[1].requirementType == "y")
    }

    @Test func badInputNamesFilePathAndExpectation() throws {
        #expect(throws: SnapshotError.self) { try read(#"{"requirements": {"value": 3}}"#) }
        do {
            _ = try read(#"{"requirements": [{"requirementType": "x", "score": "twenty"}]}"#)
            Issue.record("accepted a score that is not a number")
        } catch {
            #expect("\(error)" == "microsoftScore.json: $.requirements[0].score: expected a number, found \"twenty\"")
        }
        do {
            _ = try read(#"{"history": [{"createdDateTime": "2025-01-26T00:00:00", "score": 1}]}"#)
            Issue.record("accepted a time without a zone")
        } catch {
            #expect("\(error)".hasPrefix("microsoftScore.json: $.history[0].createdDateTime: expected a date-time with a zone"))
        }
    }
}
