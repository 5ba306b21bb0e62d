/// One evaluation as the history database holds it.
package struct RecordedEvaluation: Sendable, Hashable {
    package var id: Int64
    /// When it was recorded, Unix milliseconds.
    package var recordedAtMs: Int64
    /// The as-of day, YYYY-MM-DD.
    package var asOf: String
    /// The partner's key (its tenant id, else its name).
    package var partner: String
    package var partnerName: String
    package var tenantID: String
    package var partnerType: String
    package var edition: String
    /// 0...100, nil when nothing applies.
    package var score: Double?
    package var earnedPoints: Int
    package var maxPoints: Int
    /// `Eligibility.label`: eligible, not eligible, undecided or n/a.
    package var authorization: String
    /// SHA-256 (hex) of the facets evaluated.
    package var snapshotDigest: String
    /// Partner Center's own score when the snapshot had it (schema v2).
    package var microsoftScore: Double?
    /// Per requirement, in catalog order; empty when read as a summary.
    package var requirements: [RecordedRequirement] = []
}

/// One requirement's row of a recorded evaluation, with the facts behind
/// its insights.
package struct RecordedRequirement: Sendable, Hashable {
    package var id: String
    package var title: String
    /// mandatory, recommended, or nil (untyped editions).
    package var type: String?
    /// completed, notCompleted, notApplicable or error (could not check).
    package var status: String
    package var points: Int
    package var maxPoints: Int
    /// Preview or not yet effective: shown, not counted.
    package var future: Bool
    package var reason: String?
    package var insights: [String]
    package var items: [RecordedItem] = []
    package var metrics: [RecordedMetric] = []
}

/// An evidence item: an admin, a customer, an alert, with its status and why.
package struct RecordedItem: Sendable, Hashable {
    package var kind: String
    package var id: String
    package var name: String
    package var status: String
    package var reasons: [String]
}

/// A measure a check reported (e.g. averageResponseHours).
package struct RecordedMetric: Sendable, Hashable {
    package var name: String
    package var value: Double
    package var unit: String
}
