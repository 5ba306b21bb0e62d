import SecScoreModel
import SecScoreWire
import TenantSnapshot
import Testing

/// Each cause of a difference with Partner Center, explained from the data.
@Suite("Reconciliation with Partner Center")
struct ReconciliationTests {
    static let catalog = try! CatalogLoader.builtIn()
    static let edition = catalog.edition(named: "2025-10")!

    /// A report where every requirement is completed, with our metrics.
    static func report(_ statuses: [String: Secscore_Plugin_V1_FindingStatus] = [:], metrics: [String: [(String, Double)]] = [:]) -> EvaluationReport {
        let rows = edition.requirements.map { r -> RequirementResult in
            var f = Secscore_Plugin_V1_Finding()
            f.status = statuses[r.id] ?? .compliant
            f.evidence.metrics = (metrics[r.id] ?? []).map { name, value in
                var m = Secscore_Plugin_V1_Metric()
                m.name = name
                m.value = value
                return m
            }
            return Scoring.result(of: f, for: r, plugin: "p")
        }
        return EvaluationReport(edition: edition, asOf: CivilDate("2025-11-15")!, partner: PartnerProfile(), partnerType: .directBill,
                                requirements: rows, futureRequirements: [])
    }

    static func microsoft(_ requirements: [MicrosoftScore.Requirement]) -> MicrosoftScore {
        MicrosoftScore(currentScore: 75, maxScore: 100, lastRefreshMs: CivilDate("2025-11-15")!.startUnixMillis, requirements: requirements, history: [])
    }

    static func requirement(
        _ type: String, _ compliance: MicrosoftScore.Compliance, score: Double, max: Double, state: String = "active",
        day: String = "2025-11-15", counts: [String: Double] = [:]
    ) -> MicrosoftScore.Requirement {
        MicrosoftScore.Requirement(id: type, requirementType: type, compliance: compliance, score: score, maxScore: max,
                                   state: state, updatedMs: CivilDate(day)!.startUnixMillis, counts: counts)
    }

    func row(_ r: Reconciliation, _ id: String) throws -> Reconciliation.Row {
        try #require(r.rows.first { $0.requirementID == id })
    }

    @Test func agreementSaysSo() throws {
        let r = Reconciliation.between(Self.report(), Self.microsoft([Self.requirement("mfaEnforcedForAdmins", .compliant, score: 20, max: 20)]))
        let mfa = try row(r, "mfaEnforcedForAdmins")
        #expect(mfa.agrees && mfa.explanations == ["matches Partner Center"])
    }

    @Test func countsExplainAnAdminMFADifference() throws {
        let report = Self.report(["mfaEnforcedForAdmins": .notCompliant], metrics: ["mfaEnforcedForAdmins": [("admins", 4), ("adminsNotCovered", 2), ("adminsNotRegistered", 0)]])
        let r = Reconciliation.between(report, Self.microsoft([
            Self.requirement("mfaEnforcedForAdmins", .compliant, score: 20, max: 20, counts: ["mfaEnabledAdminsCount": 4, "adminsRequiredNotUsingMfaCount": 0]),
        ]))
        let mfa = try row(r, "mfaEnforcedForAdmins")
        #expect(!mfa.agrees)
        #expect(mfa.explanations == ["Partner Center counts 4 admins with MFA enabled and 0 admins required to use MFA who have not completed registration; secscore counts 4 admins (active or PIM-eligible), 2 not covered by an MFA requirement and 0 not registered. Partner Center measures MFA usage at sign-in; secscore reads the policies that enforce it."])
    }

    @Test func averageResponseAndRefreshTime() throws {
        let report = Self.report(metrics: ["securityAlertsPromptlyResolved": [("averageResponseHours", 2.5), ("alerts", 3)]])
        let r = Reconciliation.between(report, Self.microsoft([
            Self.requirement("securityAlertsPromptlyResolved", .noncompliant, score: 0, max: 10, day: "2025-11-10", counts: ["averageResponseTimeInHours": 31.5]),
        ]))
        let alerts = try row(r, "securityAlertsPromptlyResolved")
        #expect(alerts.explanations.first == "Partner Center's average response is 31.5 h; secscore's is 2.5 h over 3 alerts in the 30 days before the as-of day.")
        #expect(alerts.explanations.last?.contains("Partner Center computed it on 2025-11-10; secscore's data is as of 2025-11-15, 5 days apart") == true)
    }

    @Test func otherPointsMeanTheCatalogIsOutOfDate() throws {
        let r = Reconciliation.between(Self.report(), Self.microsoft([
            Self.requirement("spendingBudgetSetForCustomerAzureSubscriptions", .compliant, score: 20, max: 20),
        ]))
        let budget = try row(r, "spendingBudgetSetForCustomerAzureSubscriptions")
        #expect(!budget.agrees)
        #expect(budget.explanations.contains("Partner Center gives it 20 points, catalog edition 2025-10 10: the catalog is out of date; update edition 2025-10."))
    }

    @Test func requirementTheCatalogDoesNotKnow() throws {
        let r = Reconciliation.between(Self.report(), Self.microsoft([
            Self.requirement("adminSignInsPhishingResistant", .compliant, score: 10, max: 10),
            Self.requirement("adminSignInsPhishingResistantPreview", .compliant, score: 5, max: 5, state: "preview"),
        ]))
        #expect(try row(r, "adminSignInsPhishingResistant").explanations == ["Partner Center scores adminSignInsPhishingResistant (10 points), which catalog edition 2025-10 does not have: the catalog is out of date; update edition 2025-10."])
        #expect(try row(r, "adminSignInsPhishingResistantPreview").explanations.first?.hasPrefix("A preview requirement in Partner Center (5 points)") == true)
    }

    @Test func couldNotCheckAndUnknownStatusAreNeverMatches() throws {
        let report = Self.report(["securityContactProvided": .couldNotCheck])
        let r = Reconciliation.between(report, Self.microsoft([
            Self.requirement("securityContactProvided", .compliant, score: 20, max: 20),
            Self.requirement("mfaEnforcedForAdmins", .unknown("unknownFutureValue"), score: 20, max: 20),
        ]))
        #expect(try row(r, "securityContactProvided").explanations.first?.hasPrefix("secscore could not check it") == true)
        let mfa = try row(r, "mfaEnforcedForAdmins")
        #expect(!mfa.agrees && mfa.explanations.first == "Partner Center's status is \"unknownFutureValue\", neither compliant nor noncompliant, so it cannot be compared.")
    }

    @Test func reconciliationNeverChangesPoints() {
        let report = Self.report(["securityAlertsPromptlyResolved": .notCompliant])
        var reconciled = report
        reconciled.reconciliation = Reconciliation.between(report, Self.microsoft([
            Self.requirement("securityAlertsPromptlyResolved", .compliant, score: 10, max: 10),
        ]))
        #expect(reconciled.earnedPoints == report.earnedPoints && reconciled.score == report.score)
        #expect(Scoring.verdict(reconciled, failOn: .mandatory) == Scoring.verdict(report, failOn: .mandatory))
    }
}
