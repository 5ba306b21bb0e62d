public import SecScoreWire

/// A check's verdict: a status, sentences for people, and evidence for
/// machines. It carries no points; the host scores.
public struct Finding: Sendable {
    public enum Status: Sendable, Hashable {
        case compliant
        case notCompliant
        /// The data cannot decide the requirement.
        case couldNotCheck
    }

    public var status: Status
    /// Most important first.
    public var insights: [String]
    /// Counts and measures, e.g. ("adminsWithoutMfa", 2).
    public var metrics: [(name: String, value: Double, unit: String)]
    /// Offending or notable objects.
    public var items: [Secscore_Plugin_V1_EvidenceItem]

    public init(
        status: Status, insights: [String] = [],
        metrics: [(name: String, value: Double, unit: String)] = [],
        items: [Secscore_Plugin_V1_EvidenceItem] = []
    ) {
        self.status = status
        self.insights = insights
        self.metrics = metrics
        self.items = items
    }

    /// A finding already in protocol form (e.g. from a shared checker library).
    public init(_ wire: Secscore_Plugin_V1_Finding) {
        switch wire.status {
        case .compliant: status = .compliant
        case .notCompliant: status = .notCompliant
        default: status = .couldNotCheck
        }
        insights = wire.insights
        metrics = wire.evidence.metrics.map { ($0.name, $0.value, $0.unit) }
        items = wire.evidence.items
    }

    public static func compliant(_ insights: [String] = []) -> Finding {
        Finding(status: .compliant, insights: insights)
    }

    public static func notCompliant(_ insights: [String] = []) -> Finding {
        Finding(status: .notCompliant, insights: insights)
    }

    public static func couldNotCheck(_ insights: [String] = []) -> Finding {
        Finding(status: .couldNotCheck, insights: insights)
    }

    /// Adds a metric; returns self for chaining.
    public func metric(_ name: String, _ value: Double, unit: String = "") -> Finding {
        var copy = self
        copy.metrics.append((name, value, unit))
        return copy
    }

    /// Builds an evidence item.
    public static func item(
        kind: String, id: String, name: String = "", status: String = "",
        reasons: [String] = [], attributes: [(String, String)] = []
    ) -> Secscore_Plugin_V1_EvidenceItem {
        Secscore_Plugin_V1_EvidenceItem(kind: kind, id: id, name: name, status: status, reasons: reasons, attributes: attributes)
    }

    func wire(requirementID: String) -> Secscore_Plugin_V1_Finding {
        var f = Secscore_Plugin_V1_Finding()
        f.requirementID = requirementID
        switch status {
        case .compliant: f.status = .compliant
        case .notCompliant: f.status = .notCompliant
        case .couldNotCheck: f.status = .couldNotCheck
        }
        f.insights = insights
        f.evidence.metrics = metrics.map { m in
            var metric = Secscore_Plugin_V1_Metric()
            metric.name = m.name
            metric.value = m.value
            metric.unit = m.unit
            return metric
        }
        f.evidence.items = items
        return f
    }
}
