import SecScoreEngine
import SecScoreModel
import SecScoreWire
import TenantSnapshot
import Testing

/// A runner whose checks answer from a table, to test the host's scoring.
struct FakeRunner: CheckRunner {
    var answers: [String: Secscore_Plugin_V1_FindingStatus]
    var required: [Secscore_Tenant_V1_Facet] = []

    func check(for requirementID: String) -> CheckBinding? {
        guard let status = answers[requirementID] else { return nil }
        var d = Secscore_Plugin_V1_CheckDescriptor()
        d.requirementID = requirementID
        d.requiredFacets = required
        return CheckBinding(name: "fake", descriptor: d) { request, _ in
            var f = Secscore_Plugin_V1_Finding()
            f.requirementID = request.requirementID
            f.status = status
            f.insights = ["answered \(request.requirementID) for \(request.context.partnerType)"]
            return CheckAnswer(.success(f))
        }
    }

    var unavailableReasons: [String] { [] }
}

@Suite("Scoring")
struct ScoringTests {
    let catalog = try! CatalogLoader.builtIn()
    let all = [
        "mfaEnforcedForAdmins", "securityAlertsPromptlyResolved", "securityContactProvided",
        "spendingBudgetSetForCustomerAzureSubscriptions", "mfaEnforcedForAdminsOfCustomers",
    ]

    func evaluate(
        _ statuses: [String: Secscore_Plugin_V1_FindingStatus], type: PartnerProfile.PartnerType = .directBill,
        asOf: String = "2025-11-15", edition: String? = nil, onboarded: String? = "2019-03-14"
    ) async throws -> EvaluationReport {
        let partner = PartnerProfile(partnerType: type, commerce: .newCommerce, onboardedDate: onboarded.flatMap(CivilDate.init))
        let snapshot = TenantSnapshot(directory: "test", partner: partner, facets: .init(), presentFacets: [])
        return try await Evaluator.evaluate(
            snapshot: snapshot, catalog: catalog,
            options: EvaluationOptions(asOf: CivilDate(asOf)!, editionID: edition), runner: FakeRunner(answers: statuses))
    }

    @Test func scoreIsEarnedOverMaxTimesHundred() async throws {
        var s = Dictionary(uniqueKeysWithValues: all.map { ($0, Secscore_Plugin_V1_FindingStatus.compliant) })
        s["securityAlertsPromptlyResolved"] = .notCompliant  // 10 points in 2025-10
        let report = try await evaluate(s)
        #expect(report.earnedPoints == 70)
        #expect(report.maxPoints == 80)
        #expect(Scoring.format(report.score) == "87.50")
        #expect(report.eligibility.eligible == false)
        #expect(report.eligibility.missing == ["securityAlertsPromptlyResolved"])
    }

    /// "Every one of none" is not eligibility (issue 16): an edition forced
    /// before it takes effect leaves CSP authorization undecided.
    @Test func nothingInForceDecidesNothing() async throws {
        let all = Dictionary(uniqueKeysWithValues: all.map { ($0, Secscore_Plugin_V1_FindingStatus.compliant) })
        let preview = try await evaluate(all, asOf: "2025-09-30", edition: "2025-10")
        #expect(preview.requirements.isEmpty && !preview.futureRequirements.isEmpty)
        #expect(preview.eligibility.applies && !preview.eligibility.decided && !preview.eligibility.eligible)
        #expect(preview.undecidedAuthorization?.contains("no mandatory requirement of edition 2025-10 is in force on 2025-09-30") == true)
        let inForce = try await evaluate(all, asOf: "2025-11-15")
        #expect(inForce.eligibility.decided && inForce.eligibility.eligible && inForce.undecidedAuthorization == nil)
    }

    @Test func editionsPickPointsAndTypes() async throws {
        let s = Dictionary(uniqueKeysWithValues: all.map { ($0, Secscore_Plugin_V1_FindingStatus.notCompliant) })
        let new = try await evaluate(s)
        #expect(new.edition.id == "2025-10")
        #expect(new.requirements.map(\.maxPoints) == [20, 10, 20, 10, 20])
        #expect(new.requirements.map(\.requirement.type) == [.mandatory, .mandatory, .mandatory, .recommended, .recommended])
        let old = try await evaluate(s, asOf: "2025-09-30")
        #expect(old.edition.id == "2024")
        #expect(old.requirements.map(\.maxPoints) == [20, 20, 10, 10, 20])
        #expect(old.requirements.allSatisfy { $0.requirement.type == nil })
        #expect(old.eligibility.applies == false)
        let forced = try await evaluate(s, asOf: "2025-11-15", edition: "2024")
        #expect(forced.edition.id == "2024")
    }

    @Test func alertsDoNotApplyToIndirectResellers() async throws {
        let s = Dictionary(uniqueKeysWithValues: all.map { ($0, Secscore_Plugin_V1_FindingStatus.compliant) })
        let report = try await evaluate(s, type: .indirectReseller)
        let alerts = try #require(report.requirements.first { $0.requirement.id == "securityAlertsPromptlyResolved" })
        #expect(alerts.status == .notApplicable)
        #expect(alerts.maxPoints == 0)
        #expect(report.maxPoints == 70)
        #expect(report.score == 100)
        #expect(report.eligibility.eligible)
    }

    @Test func couldNotCheckEarnsNothingButKeepsItsMax() async throws {
        var s = Dictionary(uniqueKeysWithValues: all.map { ($0, Secscore_Plugin_V1_FindingStatus.compliant) })
        s["securityContactProvided"] = .couldNotCheck
        s["mfaEnforcedForAdminsOfCustomers"] = nil  // no plugin at all
        let report = try await evaluate(s)
        #expect(report.maxPoints == 80)
        #expect(report.earnedPoints == 40)
        #expect(report.hasErrors)
        let missing = try #require(report.requirements.first { $0.requirement.id == "mfaEnforcedForAdminsOfCustomers" })
        #expect(missing.status == .error)
        #expect(missing.reason == "no plugin answers mfaEnforcedForAdminsOfCustomers")
    }

    @Test func missingRequiredFacetIsReportedWithoutAskingThePlugin() async throws {
        let partner = PartnerProfile(partnerType: .directBill, commerce: .newCommerce)
        let snapshot = TenantSnapshot(directory: "test", partner: partner, facets: .init(), presentFacets: [])
        let runner = FakeRunner(answers: ["securityContactProvided": .compliant], required: [.securityContact])
        let report = try await Evaluator.evaluate(
            snapshot: snapshot, catalog: catalog, options: EvaluationOptions(asOf: CivilDate("2025-11-15")!), runner: runner)
        let contact = try #require(report.requirements.first { $0.requirement.id == "securityContactProvided" })
        #expect(contact.status == .error)
        #expect(contact.reason == "securityContact.json is missing from the snapshot")
        #expect(contact.points == 0)
    }

    @Test func nextValidationIsTheAnniversaryMonth() {
        let onboarded = CivilDate("2019-03-14")!
        #expect(Scoring.nextValidationMonth(onboarded: onboarded, asOf: CivilDate("2025-11-15")!) == "2026-03")
        #expect(Scoring.nextValidationMonth(onboarded: onboarded, asOf: CivilDate("2025-03-31")!) == "2025-03")
        #expect(Scoring.nextValidationMonth(onboarded: onboarded, asOf: CivilDate("2025-01-02")!) == "2025-03")
        // The onboarding month is not an anniversary (issue 16).
        let recent = CivilDate("2025-11-03")!
        #expect(Scoring.nextValidationMonth(onboarded: recent, asOf: CivilDate("2025-11-15")!) == "2026-11")
        #expect(Scoring.nextValidationMonth(onboarded: recent, asOf: CivilDate("2025-12-01")!) == "2026-11")
        #expect(Scoring.nextValidationMonth(onboarded: recent, asOf: CivilDate("2026-11-30")!) == "2026-11")
        #expect(Scoring.nextValidationMonth(onboarded: recent, asOf: CivilDate("2026-12-01")!) == "2027-11")
        let leap = CivilDate("2024-02-29")!
        #expect(Scoring.nextValidationMonth(onboarded: leap, asOf: CivilDate("2024-03-01")!) == "2025-02")
    }

    @Test func unknownPartnerTypeIsAnInputError() async {
        let snapshot = TenantSnapshot(directory: "snap", partner: nil, facets: .init(), presentFacets: [])
        await #expect(throws: EvaluationError.self) {
            _ = try await Evaluator.evaluate(
                snapshot: snapshot, catalog: catalog, options: EvaluationOptions(asOf: CivilDate("2025-11-15")!),
                runner: FakeRunner(answers: [:]))
        }
    }

    @Test func formatting() {
        #expect(Scoring.format(200.0 / 3) == "66.67")
        #expect(Scoring.format(100) == "100.00")
        #expect(Scoring.format(nil) == "n/a")
    }
}
