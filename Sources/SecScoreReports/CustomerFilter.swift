package import SecScoreModel
import SecScoreWire

extension EvaluationReport {
    /// The report as Partner Center's customer search box would show it:
    /// customer evidence and customer-specific insights only for customers
    /// whose name or tenant id contains `text` (case-insensitive). Scores
    /// and statuses are unchanged; a note says what was filtered.
    package func filteringCustomers(_ text: String) -> EvaluationReport {
        let needle = text.lowercased()
        guard !needle.isEmpty else { return self }
        var copy = self
        copy.requirements = requirements.map { $0.filteringCustomers(needle, shown: text) }
        copy.futureRequirements = futureRequirements.map { $0.filteringCustomers(needle, shown: text) }
        return copy
    }
}

extension RequirementResult {
    func filteringCustomers(_ needle: String, shown: String) -> RequirementResult {
        let customers = evidence.items.filter { $0.kind == "customer" }
        guard !customers.isEmpty else { return self }
        func label(_ c: Secscore_Plugin_V1_EvidenceItem) -> String { c.name.isEmpty ? c.id : c.name }
        let matching = customers.filter { label($0).lowercased().contains(needle) || $0.id.lowercased().contains(needle) }
        let others = customers.filter { c in !matching.contains { $0.id == c.id } }
        var copy = self
        // The first insight is the summary; later ones that name only
        // customers outside the filter are dropped.
        copy.insights = insights.enumerated().compactMap { index, insight in
            if index == 0 { return insight }
            let namesOther = others.contains { insight.contains(label($0)) }
            let namesMatching = matching.contains { insight.contains(label($0)) }
            return namesOther && !namesMatching ? nil : insight
        }
        copy.insights.append("Filtered to customers matching \"\(shown)\": \(matching.count) of \(customers.count)"
            + (matching.isEmpty ? "." : ": " + matching.map { "\(label($0)) (\($0.status))" }.joined(separator: ", ") + "."))
        let keep = Set(matching.map(\.id))
        copy.evidence.items = evidence.items.filter { $0.kind != "customer" || keep.contains($0.id) }
        return copy
    }
}
