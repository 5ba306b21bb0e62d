public import SecScoreWire

/// What a checker reads: the request's context, facets and parameters.
public struct CheckInput: Sendable {
    public var requirementID: String
    public var context: Secscore_Plugin_V1_EvaluationContext
    public var facets: Secscore_Tenant_V1_Facets
    public var parameters: [String: [String]]

    public init(requirementID: String, context: Secscore_Plugin_V1_EvaluationContext,
                facets: Secscore_Tenant_V1_Facets, parameters: [String: [String]]) {
        self.requirementID = requirementID
        self.context = context
        self.facets = facets
        self.parameters = parameters
    }

    /// From a protocol request.
    public init(_ request: Secscore_Plugin_V1_EvaluateRequest) {
        var parameters: [String: [String]] = [:]
        for p in request.parameters { parameters[p.name, default: []] += p.values }
        self.init(requirementID: request.requirementID, context: request.context, facets: request.facets, parameters: parameters)
    }

    /// A numeric parameter, or `fallback`.
    func number(_ name: String, default fallback: Double) -> Double {
        parameters[name]?.first.flatMap(Double.init) ?? fallback
    }
}

/// A finding under construction.
///
/// Evidence lists are kept in plain arrays and put into the message once:
/// appending through `finding.evidence.items` copies the nested message's
/// storage on every call, which made 100,000 items quadratic.
struct FindingBuilder {
    private var base = Secscore_Plugin_V1_Finding()
    private var items: [Secscore_Plugin_V1_EvidenceItem] = []
    private var metrics: [Secscore_Plugin_V1_Metric] = []

    init(_ requirementID: String) {
        base.requirementID = requirementID
    }

    /// The finding as built so far.
    var finding: Secscore_Plugin_V1_Finding {
        var f = base
        f.evidence.items = items
        f.evidence.metrics = metrics
        return f
    }

    mutating func status(_ status: Secscore_Plugin_V1_FindingStatus) { base.status = status }
    mutating func insight(_ text: String) { base.insights.append(text) }
    /// An insight put first: the verdict, written once the details are known.
    mutating func headline(_ text: String) { base.insights.insert(text, at: 0) }

    mutating func metric(_ name: String, _ value: Double, unit: String = "") {
        var m = Secscore_Plugin_V1_Metric()
        m.name = name
        m.value = value
        m.unit = unit
        metrics.append(m)
    }

    mutating func item(
        kind: String, id: String, name: String, status: String, reasons: [String] = [], attributes: [(String, String)] = []
    ) {
        items.append(Secscore_Plugin_V1_EvidenceItem(kind: kind, id: id, name: name, status: status, reasons: reasons, attributes: attributes))
    }
}

/// Lists at most `limit` names, then how many more.
func listed(_ names: [String], limit: Int = 5) -> String {
    listed(count: names.count, limit: limit) { names[$0] }
}

/// `listed` of `count` names, making only the ones it shows (the first
/// `limit`) with `name`, given each one's position.
func listed(count: Int, limit: Int = 5, name: (Int) -> String) -> String {
    let shown = (0..<min(count, limit)).map(name).joined(separator: ", ")
    return count <= limit ? shown : shown + " and \(count - limit) more"
}

func plural(_ n: Int, _ word: String, _ plural: String? = nil) -> String {
    "\(n) \(n == 1 ? word : plural ?? word + "s")"
}
