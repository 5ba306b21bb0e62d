/// One evaluation as the history database holds it.
public struct RecordedEvaluation: Sendable, Hashable {
    public var id: Int64
    /// When it was recorded, Unix milliseconds.
    public var recordedAtMs: Int64
    /// The as-of day, YYYY-MM-DD.
    public var asOf: String
    /// The partner's key (its tenant id, else its name).
    public var partner: String
    public var partnerName: String
    public var tenantID: String
    public var partnerType: String
    public var edition: String
    /// 0...100, nil when nothing applies.
    public var score: Double?
    public var earnedPoints: Int
    public var maxPoints: Int
    /// `Eligibility.label`: eligible, not eligible, undecided or n/a.
    public var authorization: String
    /// SHA-256 (hex) of the facets evaluated.
    public var snapshotDigest: String
    /// Partner Center's own score when the snapshot had it (schema v2).
    public var microsoftScore: Double?
    /// Per requirement, in catalog order; empty when read as a summary.
    public var requirements: [RecordedRequirement] = []
}

/// One requirement's row of a recorded evaluation, with the facts behind
/// its insights.
public struct RecordedRequirement: Sendable, Hashable {
    public var id: String
    public var title: String
    /// mandatory, recommended, or nil (untyped editions).
    public var type: String?
    /// completed, notCompleted, notApplicable or error (could not check).
    public var status: String
    public var points: Int
    public var maxPoints: Int
    /// Preview or not yet effective: shown, not counted.
    public var future: Bool
    public var reason: String?
    public var insights: [String]
    public var items: [RecordedItem] = []
    public var metrics: [RecordedMetric] = []
}

/// An evidence item: an admin, a customer, an alert, with its status and why.
public struct RecordedItem: Sendable, Hashable {
    public var kind: String
    public var id: String
    public var name: String
    public var status: String
    public var reasons: [String]
}

/// A measure a check reported (e.g. averageResponseHours).
public struct RecordedMetric: Sendable, Hashable {
    public var name: String
    public var value: Double
    public var unit: String
}
