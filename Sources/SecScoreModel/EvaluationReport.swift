public import SecScoreWire
public import TenantSnapshot

/// How a requirement came out, in the dashboard's words.
public enum RequirementStatus: String, Sendable, Hashable {
    case completed, notCompleted, notApplicable, error
}

/// One row of the dashboard: a requirement and what it earned.
public struct RequirementResult: Sendable {
    public var requirement: Requirement
    public var status: RequirementStatus
    /// Points earned: the maximum when completed, otherwise 0.
    public var points: Int
    /// Points at stake (0 when not applicable).
    public var maxPoints: Int
    public var insights: [String]
    public var evidence: Secscore_Plugin_V1_Evidence
    /// Why the check could not run (status `error` only).
    public var reason: String?
    /// The plugin that answered, when one did.
    public var plugin: String?

    public init(
        requirement: Requirement, status: RequirementStatus, insights: [String] = [],
        evidence: Secscore_Plugin_V1_Evidence = .init(), reason: String? = nil, plugin: String? = nil
    ) {
        self.requirement = requirement
        self.status = status
        self.maxPoints = status == .notApplicable ? 0 : requirement.maxPoints
        self.points = status == .completed ? requirement.maxPoints : 0
        self.insights = insights
        self.evidence = evidence
        self.reason = reason
        self.plugin = plugin
    }
}

/// CSP authorization, edition 2025-10: every applicable mandatory
/// requirement completed, validated yearly in the onboarding anniversary month.
public struct Eligibility: Sendable, Hashable {
    /// False for editions without mandatory requirements (no such rule then).
    public var applies: Bool
    /// False when no mandatory requirement applies on the as-of day (e.g. an
    /// edition forced before it takes effect): "every one of none is
    /// completed" is not eligibility, so `eligible` is then false and
    /// reports say the authorization is not decided.
    public var decided: Bool
    public var eligible: Bool
    /// Applicable mandatory requirements not completed.
    public var missing: [String]
    /// The next validation month, YYYY-MM, when the onboarding date is known.
    public var nextValidation: String?
}

extension Eligibility {
    /// One word for tables and history: "eligible", "not eligible",
    /// "undecided" (no Mandatory requirement in force) or "n/a" (the edition
    /// has no Mandatory type).
    public var label: String {
        !applies ? "n/a" : !decided ? "undecided" : eligible ? "eligible" : "not eligible"
    }
}

/// The result of evaluating one partner snapshot.
public struct EvaluationReport: Sendable {
    public static let schemaVersion = 1

    public var edition: Edition
    public var asOf: CivilDate
    public var partner: PartnerProfile
    public var partnerType: PartnerProfile.PartnerType
    /// Requirements in force, in catalog order.
    public var requirements: [RequirementResult]
    /// Preview requirements and those not yet effective, with the result
    /// they would have; they do not count toward the score.
    public var futureRequirements: [RequirementResult]
    public var eligibility: Eligibility
    /// secscore's score beside Partner Center's, when the snapshot has
    /// `microsoftScore.json`. Informs only: points and eligibility are ours.
    public var reconciliation: Reconciliation?

    public init(
        edition: Edition, asOf: CivilDate, partner: PartnerProfile, partnerType: PartnerProfile.PartnerType,
        requirements: [RequirementResult], futureRequirements: [RequirementResult]
    ) {
        self.edition = edition
        self.asOf = asOf
        self.partner = partner
        self.partnerType = partnerType
        self.requirements = requirements
        self.futureRequirements = futureRequirements
        self.eligibility = Scoring.eligibility(
            edition: edition, results: requirements, onboarded: partner.onboardedDate, asOf: asOf)
    }

    /// Sum of points earned over applicable requirements.
    public var earnedPoints: Int { requirements.reduce(0) { $0 + $1.points } }
    /// Sum of the maximum points of applicable requirements.
    public var maxPoints: Int { requirements.reduce(0) { $0 + $1.maxPoints } }
    /// earned / max * 100, or nil when nothing applies.
    public var score: Double? { Scoring.score(earned: earnedPoints, max: maxPoints) }

    /// Why CSP authorization is not decided, when it is not.
    public var undecidedAuthorization: String? {
        guard eligibility.applies, !eligibility.decided else { return nil }
        return "no mandatory requirement of edition \(edition.id) is in force on \(asOf), so nothing decides it"
    }

    /// True when some check could not run (exit code 3).
    public var hasErrors: Bool { requirements.contains { $0.status == .error } }
}
