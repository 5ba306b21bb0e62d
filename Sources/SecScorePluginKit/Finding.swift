public import SecScoreWire

/// A check's verdict: a status, sentences for people, and evidence for
/// machines. It carries no points; the host scores.
///
/// A finding is kept in protocol form, so it reaches the wire as it is: a
/// finding made from a protocol message (`init(_:)`, e.g. from a shared
/// checker library) is sent without being taken apart and rebuilt.
public struct Finding: Sendable {
    public enum Status: Sendable, Hashable {
        case compliant
        case notCompliant
        /// The data cannot decide the requirement.
        case couldNotCheck
    }

    /// The message without its evidence, whose status is always one of the
    /// three above.
    private var message: Secscore_Plugin_V1_Finding
    /// Kept apart so that appending to `items` edits one array in place:
    /// through the message's `evidence` accessor every append would copy it.
    private var evidence: Secscore_Plugin_V1_Evidence

    public var status: Status {
        get {
            switch message.status {
            case .compliant: .compliant
            case .notCompliant: .notCompliant
            default: .couldNotCheck
            }
        }
        set { message.status = Self.wireStatus(newValue) }
    }

    /// Most important first.
    public var insights: [String] {
        get { message.insights }
        set { message.insights = newValue }
        _modify { yield &message.insights }
    }

    /// Counts and measures, e.g. ("adminsWithoutMfa", 2).
    public var metrics: [(name: String, value: Double, unit: String)] {
        get { evidence.metrics.map { ($0.name, $0.value, $0.unit) } }
        set { evidence.metrics = newValue.map(Self.wireMetric) }
    }

    /// Offending or notable objects.
    public var items: [Secscore_Plugin_V1_EvidenceItem] {
        get { evidence.items }
        set { evidence.items = newValue }
        _modify { yield &evidence.items }
    }

    public init(
        status: Status, insights: [String] = [],
        metrics: [(name: String, value: Double, unit: String)] = [],
        items: [Secscore_Plugin_V1_EvidenceItem] = []
    ) {
        message = Secscore_Plugin_V1_Finding()
        message.status = Self.wireStatus(status)
        message.insights = insights
        evidence = Secscore_Plugin_V1_Evidence()
        evidence.metrics = metrics.map(Self.wireMetric)
        evidence.items = items
    }

    /// A finding already in protocol form (e.g. from a shared checker
    /// library). It is sent as it is, with two changes: its requirement id
    /// becomes the request's, and a status other than compliant or not
    /// compliant reads as could not check.
    public init(_ wire: Secscore_Plugin_V1_Finding) {
        message = wire
        evidence = wire.evidence
        message.clearEvidence()
        if wire.status != .compliant && wire.status != .notCompliant { message.status = .couldNotCheck }
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
        copy.evidence.metrics.append(Self.wireMetric((name, value, unit)))
        return copy
    }

    /// Builds an evidence item.
    public static func item(
        kind: String, id: String, name: String = "", status: String = "",
        reasons: [String] = [], attributes: [(String, String)] = []
    ) -> Secscore_Plugin_V1_EvidenceItem {
        Secscore_Plugin_V1_EvidenceItem(kind: kind, id: id, name: name, status: status, reasons: reasons, attributes: attributes)
    }

    /// The message to send for request `requirementID`.
    func wire(requirementID: String) -> Secscore_Plugin_V1_Finding {
        var f = message
        f.requirementID = requirementID
        f.evidence = evidence
        return f
    }

    private static func wireStatus(_ status: Status) -> Secscore_Plugin_V1_FindingStatus {
        switch status {
        case .compliant: .compliant
        case .notCompliant: .notCompliant
        case .couldNotCheck: .couldNotCheck
        }
    }

    private static func wireMetric(_ m: (name: String, value: Double, unit: String)) -> Secscore_Plugin_V1_Metric {
        var metric = Secscore_Plugin_V1_Metric()
        metric.name = m.name
        metric.value = m.value
        metric.unit = m.unit
        return metric
    }
}
