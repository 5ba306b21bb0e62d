import TenantSnapshot

/// What a report shows of a partner's history: the run before this one,
/// what changed since, and the trend over the last days.
package struct HistoryContext: Sendable {
    /// The evaluation this context is about.
    package var current: RecordedEvaluation
    /// The partner's evaluation before it (by as-of day, then time), if any.
    package var previous: RecordedEvaluation?
    /// What changed from `previous` to `current` (empty without a previous).
    package var changes: [Change]
    /// The partner's evaluations within the trend window, oldest first,
    /// `current` included.
    package var trend: [RecordedEvaluation]
}

extension HistoryStore {
    /// The history around evaluation `id`: the run before it, the changes,
    /// and every run as of the `days` days up to its as-of day.
    /// - Throws: `HistoryError.readFailed`.
    package func context(ofEvaluation id: Int64, days: Int = 90) throws(HistoryError) -> HistoryContext? {
        guard let current = try evaluation(id: id) else { return nil }
        let all = try evaluations(of: current.partner)
        let position = all.firstIndex { $0.id == id }
        var previous: RecordedEvaluation?
        if let position, position > 0 { previous = try evaluation(id: all[position - 1].id) }
        let start = CivilDate(current.asOf).map { CivilDate(unixMillis: $0.startUnixMillis - Int64(days) * 86_400_000).description } ?? ""
        let trend = all.prefix(through: position ?? all.count - 1).filter { $0.asOf >= start }
        return HistoryContext(
            current: current, previous: previous,
            changes: previous.map { ChangeSet.between($0, current) } ?? [], trend: Array(trend))
    }
}
