public import TenantSnapshot

/// Whether missing a requirement costs CSP authorization.
public enum RequirementType: String, Sendable, Hashable, Codable {
    case mandatory, recommended
}

/// One requirement of an edition, as the catalog file states it.
public struct Requirement: Sendable, Hashable {
    public var id: String
    public var title: String
    public var description: String
    /// nil in editions without the mandatory/recommended split.
    public var type: RequirementType?
    public var maxPoints: Int
    public var applicablePartnerTypes: Set<PartnerProfile.PartnerType>
    public var effectiveDate: CivilDate
    /// "preview" requirements are shown as future requirements.
    public var isPreview: Bool
    public var instructionsURL: String
    public var actionURL: String
    /// Rule parameters sent to the plugin with each request.
    public var parameters: [String: [String]]
    /// How secscore decides it, in short sentences (`secscore explain`).
    public var rules: [String]
}

/// A set of requirements in force from a date.
public struct Edition: Sendable, Hashable {
    public var id: String
    public var title: String
    public var effectiveDate: CivilDate
    /// True when requirements are typed mandatory or recommended and CSP
    /// authorization depends on the mandatory ones.
    public var hasRequirementTypes: Bool
    public var requirements: [Requirement]
}

/// All editions, newest rule first.
public struct Catalog: Sendable, Hashable {
    public var editions: [Edition]

    /// The edition in force on `day`: the one with the latest effective date
    /// not after it (the earliest edition when `day` precedes them all).
    public func edition(inForceOn day: CivilDate) -> Edition {
        let sorted = editions.sorted { $0.effectiveDate < $1.effectiveDate }
        return sorted.last { $0.effectiveDate <= day } ?? sorted[0]
    }

    /// The edition named `id`.
    public func edition(named id: String) -> Edition? {
        editions.first { $0.id == id }
    }
}
