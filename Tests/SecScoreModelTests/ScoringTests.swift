import SecScoreModel
import SecScoreWire
import TenantSnapshot
import Testing

/// `Scoring`'s rules, table by table, on the built-in catalog's real
/// requirements, in catalog order (2025-10: admin MFA, alerts and the security contact are
/// Mandatory; budgets and customer MFA Recommended; 2024: untyped).
@Suite("Scoring rules")
struct ScoringRuleTests {
    static let catalog = try! CatalogLoader.builtIn()
    static let current = catalog.edition(named: "2025-10")!
    static let previous = catalog.edition(named: "2024")!

    static func requirement(_ id: String, in edition: Edition = current) -> Requirement {
        edition.requirements.first { $0.id == id }!
    }

    static func finding(_ status: Secscore_Plugin_V1_FindingStatus, _ insights: [String] = []) -> Secscore_Plugin_V1_Finding {
        var f = Secscore_Plugin_V1_Finding()
        f.status = status
        f.insights = insights
        return f
    }

    /// A report whose requirements came out as `statuses` (in edition order;
    /// "-" not applicable).
    static func report(_ statuses: String, edition: Edition = current, asOf: String = "2025-11-15") -> EvaluationReport {
        let rows = zip(edition.requirements, statuses.split(separator: " ")).map { requirement, code -> RequirementResult in
            switch code {
            case "ok": Scoring.result(of: finding(.compliant), for: requirement, plugin: "p")
            case "no": Scoring.result(of: finding(.notCompliant), for: requirement, plugin: "p")
            case "?": Scoring.couldNotCheck(requirement, reason: "data missing")
            default: Scoring.notApplicable(requirement, partnerType: .indirectReseller)
            }
        }
        return EvaluationReport(
            edition: edition, asOf: CivilDate(asOf)!, partner: PartnerProfile(), partnerType: .directBill,
            requirements: rows, futureRequirements: [])
    }

    // MARK: Finding to status

    static let findingRows: [(Secscore_Plugin_V1_FindingStatus, RequirementStatus, Int)] = [
        (.compliant, .completed, 20),
        (.notCompliant, .notCompleted, 0),
        (.couldNotCheck, .error, 0),
        (.unspecified, .error, 0),
        // A status this host does not know fails closed: no points.
        (.UNRECOGNIZED(42), .error, 0),
    ]

    @Test(arguments: findingRows)
    func findingStatusDecidesStatusAndPoints(row: (Secscore_Plugin_V1_FindingStatus, RequirementStatus, Int)) {
        let result = Scoring.result(of: Self.finding(row.0, ["why"]), for: Self.requirement("mfaEnforcedForAdmins"), plugin: "p")
        #expect(result.status == row.1)
        #expect(result.points == row.2)
        #expect(result.maxPoints == 20)
        #expect(result.plugin == "p")
        if row.1 == .error { #expect(result.reason == "why") }
    }

    @Test func couldNotCheckWithoutInsightsStillSaysWhy() {
        let result = Scoring.result(of: Self.finding(.couldNotCheck), for: Self.requirement("mfaEnforcedForAdmins"), plugin: nil)
        #expect(result.reason == "the check could not decide from the data")
    }

    // MARK: Applicability

    static let applicabilityRows: [(String, PartnerProfile.PartnerType, Bool)] = [
        ("securityAlertsPromptlyResolved", .indirectReseller, false),
        ("securityAlertsPromptlyResolved", .directBill, true),
        ("securityAlertsPromptlyResolved", .distributor, true),
        ("mfaEnforcedForAdmins", .indirectReseller, true),
        ("spendingBudgetSetForCustomerAzureSubscriptions", .indirectReseller, true),
    ]

    @Test(arguments: applicabilityRows)
    func applicabilityFollowsThePartnerType(row: (String, PartnerProfile.PartnerType, Bool)) {
        let requirement = Self.requirement(row.0)
        #expect(Scoring.applies(requirement, to: row.1) == row.2)
        let notApplicable = Scoring.notApplicable(requirement, partnerType: row.1)
        #expect(notApplicable.status == .notApplicable && notApplicable.points == 0 && notApplicable.maxPoints == 0)
    }

    @Test func notApplicableSaysForWhom() {
        let row = Scoring.notApplicable(Self.requirement("securityAlertsPromptlyResolved"), partnerType: .indirectReseller)
        #expect(row.insights == ["Does not apply to indirect reseller partners."])
    }

    // MARK: Score

    static let scoreRows: [(String, String, Int, Int)] = [
        // statuses (admin MFA, alerts, contact, budgets, customer MFA), score, earned, max
        ("ok ok ok ok ok", "100.00", 80, 80),
        ("ok no ok ok ok", "87.50", 70, 80),
        ("ok - ok ok ok", "100.00", 70, 70),  // not applicable leaves the maximum
        ("? ? ? ? ?", "0.00", 0, 80),  // could not check earns nothing and keeps its maximum
        ("- - - - -", "n/a", 0, 0),
        ("no ok no ok no", "25.00", 20, 80),
    ]

    @Test(arguments: scoreRows)
    func scoreIsEarnedOverMaximumOfApplicable(row: (String, String, Int, Int)) {
        let report = Self.report(row.0)
        #expect(Scoring.format(report.score) == row.1)
        #expect(report.earnedPoints == row.2 && report.maxPoints == row.3)
    }

    // MARK: What a run comes to

    static let verdictRows: [(String, String, FailureCondition, RunVerdict)] = [
        // edition, statuses, --fail-on, verdict
        ("2025-10", "ok ok ok ok ok", .mandatory, .passed),
        ("2025-10", "ok ok ok no no", .mandatory, .passed),  // Recommended only
        ("2025-10", "ok ok ok no no", .any, .conditionMet),
        ("2025-10", "ok no ok ok ok", .mandatory, .conditionMet),
        ("2025-10", "ok no ok ok ok", .none, .passed),
        ("2025-10", "ok no ok ok ?", .mandatory, .couldNotCheck),  // could not check wins
        ("2025-10", "ok ok ok ok ?", .none, .couldNotCheck),  // even when nothing should fail
        ("2025-10", "- ok ok ok ok", .mandatory, .passed),
        ("2024", "ok ok ok no ok", .mandatory, .conditionMet),  // untyped: every requirement counts
        ("2024", "ok ok ok no ok", .none, .passed),
        ("2024", "ok ok ok ok ok", .any, .passed),
    ]

    @Test(arguments: verdictRows)
    func verdictPrecedence(row: (String, String, FailureCondition, RunVerdict)) {
        let edition = row.0 == "2024" ? Self.previous : Self.current
        #expect(Scoring.verdict(Self.report(row.1, edition: edition), failOn: row.2) == row.3)
    }

    /// Authorization nobody can decide (no Mandatory requirement in force)
    /// is not a pass, unless the caller fails on nothing.
    @Test(arguments: [(FailureCondition.mandatory, RunVerdict.couldNotCheck), (.any, .couldNotCheck), (.none, .passed)])
    func undecidedAuthorizationIsNotAPass(row: (FailureCondition, RunVerdict)) {
        let report = Self.report("- - - ok ok")
        #expect(!report.eligibility.decided && report.undecidedAuthorization != nil)
        #expect(Scoring.verdict(report, failOn: row.0) == row.1)
    }

    @Test func aFleetComesToItsWorstPartner() {
        #expect(RunVerdict.worst([]) == .passed)
        #expect(RunVerdict.worst([.passed, .conditionMet, .passed]) == .conditionMet)
        #expect(RunVerdict.worst([.conditionMet, .couldNotCheck, .passed]) == .couldNotCheck)
        #expect(RunVerdict.allCases.sorted() == [.passed, .conditionMet, .couldNotCheck])
    }

    // MARK: Authorization

    static let eligibilityRows: [(String, Bool, Bool, [String])] = [
        // statuses, decided, eligible, missing
        ("ok ok ok no no", true, true, []),
        ("no ok ok ok ok", true, false, ["mfaEnforcedForAdmins"]),
        ("ok ? ok ok ok", true, false, ["securityAlertsPromptlyResolved"]),  // could not check is not completed
        ("- ok ok ok ok", true, true, []),
        ("- - - ok ok", false, false, []),
    ]

    @Test(arguments: eligibilityRows)
    func authorizationNeedsEveryApplicableMandatory(row: (String, Bool, Bool, [String])) {
        let e = Self.report(row.0).eligibility
        #expect(e.applies && e.decided == row.1 && e.eligible == row.2 && e.missing == row.3)
    }

    @Test func futureRequirementsAreShownNotCounted() {
        var preview = Self.requirement("mfaEnforcedForAdmins")
        #expect(!Scoring.isFuture(preview, asOf: CivilDate("2025-11-15")!))
        #expect(Scoring.isFuture(preview, asOf: CivilDate("2025-09-30")!))
        preview.isPreview = true
        #expect(Scoring.isFuture(preview, asOf: CivilDate("2030-01-01")!))
    }
}
