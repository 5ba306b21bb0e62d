public import SecScoreWire
public import TenantSnapshot

/// The dashboard's rules, in one place: which requirements apply, how a
/// check's finding becomes a status and points, the score, CSP
/// authorization, and what a whole run comes to.
///
/// Sources: Partner Center "Security requirements" (score = sum of points
/// earned / sum of the maximum points of the applicable requirements x 100;
/// alerts do not apply to indirect resellers; authorization needs every
/// applicable Mandatory requirement, validated yearly), and the first rule of
/// this product: a requirement nobody could check earns nothing and is never
/// a failure either.
public enum Scoring {
    // MARK: Applicability and status

    /// Whether `requirement` counts for a partner of `partnerType`.
    public static func applies(_ requirement: Requirement, to partnerType: PartnerProfile.PartnerType) -> Bool {
        requirement.applicablePartnerTypes.contains(partnerType)
    }

    /// The row of a requirement that does not apply: no points at stake.
    public static func notApplicable(_ requirement: Requirement, partnerType: PartnerProfile.PartnerType) -> RequirementResult {
        RequirementResult(
            requirement: requirement, status: .notApplicable,
            insights: ["Does not apply to \(partnerTypeName(partnerType)) partners."])
    }

    /// The row of a check's finding: compliant earns the requirement's
    /// points, not compliant earns none, and any other status (could not
    /// check, or one this host does not know) is could not check.
    public static func result(
        of finding: Secscore_Plugin_V1_Finding, for requirement: Requirement, plugin: String?
    ) -> RequirementResult {
        switch finding.status {
        case .compliant:
            RequirementResult(requirement: requirement, status: .completed, insights: finding.insights,
                              evidence: finding.evidence, plugin: plugin)
        case .notCompliant:
            RequirementResult(requirement: requirement, status: .notCompleted, insights: finding.insights,
                              evidence: finding.evidence, plugin: plugin)
        default:
            RequirementResult(
                requirement: requirement, status: .error, insights: finding.insights, evidence: finding.evidence,
                reason: finding.insights.first ?? "the check could not decide from the data", plugin: plugin)
        }
    }

    /// The row of a requirement that could not be checked, with why.
    public static func couldNotCheck(_ requirement: Requirement, reason: String, plugin: String? = nil) -> RequirementResult {
        RequirementResult(requirement: requirement, status: .error, reason: reason, plugin: plugin)
    }

    /// Preview requirements and those not yet effective on `asOf`: shown,
    /// never counted.
    public static func isFuture(_ requirement: Requirement, asOf: CivilDate) -> Bool {
        requirement.isPreview || requirement.effectiveDate > asOf
    }

    // MARK: Score and authorization

    /// (Sum of scores) / (sum of max scores) * 100; nil when the max is 0.
    public static func score(earned: Int, max: Int) -> Double? {
        max == 0 ? nil : Double(earned) / Double(max) * 100
    }

    /// A score as the dashboard shows it: two decimals, trailing zeros kept
    /// (e.g. "66.67", "100.00"), or "n/a".
    public static func format(_ score: Double?) -> String {
        guard let score else { return "n/a" }
        let hundredths = Int((score * 100).rounded())
        let whole = hundredths / 100
        let frac = hundredths % 100
        return "\(whole).\(frac < 10 ? "0" : "")\(frac)"
    }

    /// A count or measure as reports show it: whole numbers without a
    /// decimal point ("4"), others to two decimals at most ("31.5").
    public static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String((value * 100).rounded() / 100)
    }

    /// CSP authorization (edition 2025-10): every applicable Mandatory
    /// requirement completed. Could not check is not completed.
    public static func eligibility(
        edition: Edition, results: [RequirementResult], onboarded: CivilDate?, asOf: CivilDate
    ) -> Eligibility {
        let mandatory = results.filter { $0.requirement.type == .mandatory && $0.status != .notApplicable }
        let missing = mandatory.filter { $0.status != .completed }.map(\.requirement.id)
        let decided = !mandatory.isEmpty
        return Eligibility(
            applies: edition.hasRequirementTypes,
            decided: decided,
            eligible: edition.hasRequirementTypes && decided && missing.isEmpty,
            missing: missing,
            nextValidation: onboarded.map { nextValidationMonth(onboarded: $0, asOf: asOf) })
    }

    /// Why a partner is not eligible, in words: the mandatory requirements
    /// not completed and, apart, those that could not be checked (a
    /// requirement nobody could check is not a failure, but it cannot count
    /// as completed either). `title` renders one requirement title.
    public static func missingText(_ report: EvaluationReport, separator: String = "; ", title: (String) -> String) -> String {
        let missing = report.eligibility.missing.compactMap { id in report.requirements.first { $0.requirement.id == id } }
        let failed = missing.filter { $0.status == .notCompleted }.map { title($0.requirement.title) }
        let unchecked = missing.filter { $0.status == .error }.map { title($0.requirement.title) }
        var parts: [String] = []
        if !failed.isEmpty { parts.append("mandatory requirements not completed: " + failed.joined(separator: separator)) }
        if !unchecked.isEmpty { parts.append("mandatory requirements that could not be checked: " + unchecked.joined(separator: separator)) }
        return parts.joined(separator: "; ")
    }

    /// The first anniversary month of `onboarded` on or after the as-of
    /// month. The onboarding month itself is not an anniversary: onboarded
    /// 2025-11-03 and evaluated in 2025-11 (or earlier), the next validation
    /// is 2026-11.
    public static func nextValidationMonth(onboarded: CivilDate, asOf: CivilDate) -> String {
        var year = asOf.year
        if asOf.month > onboarded.month { year += 1 }
        year = max(year, onboarded.year + 1)
        let month = onboarded.month
        return "\(year)-\(month < 10 ? "0" : "")\(month)"
    }

    // MARK: What a run comes to

    /// Whether `report` meets `condition`: a requirement not completed that
    /// the condition covers. Could not check never meets it (it is reported
    /// as its own verdict, which wins).
    public static func meets(_ condition: FailureCondition, _ report: EvaluationReport) -> Bool {
        switch condition {
        case .none: false
        case .any: report.requirements.contains { $0.status == .notCompleted }
        case .mandatory:
            // Editions without the Mandatory/Recommended split: every requirement counts.
            report.requirements.contains {
                $0.status == .notCompleted && ($0.requirement.type == .mandatory || !report.edition.hasRequirementTypes)
            }
        }
    }

    /// What one evaluation comes to. Could not check wins over the failure
    /// condition: a run that could not see everything cannot claim either
    /// way. Authorization nobody can decide counts as could not check unless
    /// the caller asked to fail on nothing.
    public static func verdict(_ report: EvaluationReport, failOn condition: FailureCondition) -> RunVerdict {
        if report.hasErrors || (condition != .none && report.undecidedAuthorization != nil) { return .couldNotCheck }
        return meets(condition, report) ? .conditionMet : .passed
    }

    static func partnerTypeName(_ type: PartnerProfile.PartnerType) -> String {
        switch type {
        case .directBill: "direct-bill"
        case .distributor: "distributor"
        case .indirectReseller: "indirect reseller"
        }
    }
}

/// Which results make a run fail (the CLI's `--fail-on`).
public enum FailureCondition: String, Sendable, Hashable, CaseIterable {
    /// A Mandatory requirement not completed (every requirement, in editions
    /// without the Mandatory/Recommended split).
    case mandatory
    /// Any requirement not completed.
    case any
    /// Never.
    case none
}

/// What a run came to, in increasing severity; a fleet comes to the worst
/// of its partners'. The CLI maps it to an exit status and nothing more.
public enum RunVerdict: Int, Sendable, Hashable, Comparable, CaseIterable {
    /// Evaluated, and the failure condition is not met.
    case passed
    /// Evaluated, and the failure condition is met.
    case conditionMet
    /// Evaluated, but a check could not run (or a partner could not be
    /// evaluated, or authorization is undecided): nothing can be claimed.
    case couldNotCheck

    public static func < (a: RunVerdict, b: RunVerdict) -> Bool { a.rawValue < b.rawValue }

    /// The verdict of several runs: the worst one, `passed` for none.
    public static func worst(_ verdicts: some Sequence<RunVerdict>) -> RunVerdict {
        verdicts.max() ?? .passed
    }
}
