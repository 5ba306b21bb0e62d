public import SecScoreModel
import TenantSnapshot

/// The fleet summary: one row per partner, lowest score first (the ones to
/// look at), snapshots that could not be evaluated at the top.
public enum FleetSummary {
    /// A row: the folder name and its report or the reason it has none.
    public typealias Row = (name: String, report: EvaluationReport?, failure: String?)

    public static func render(_ rows: [Row]) -> String {
        let sorted = rows.sorted { a, b in
            switch (a.report?.score, b.report?.score) {
            case (nil, nil): return a.name < b.name
            case (nil, _): return true
            case (_, nil): return false
            case (let x?, let y?): return x != y ? x < y : a.name < b.name
            }
        }
        let nameWidth = max(7, min(40, rows.map(\.name.count).max() ?? 7))
        var out = "PARTNER".padded(nameWidth) + "  SCORE    POINTS  TYPE               CSP AUTH      NOT COMPLETED / COULD NOT CHECK\n"
        for row in sorted {
            let name = String(row.name.prefix(nameWidth)).padded(nameWidth)
            guard let r = row.report else {
                out += "\(name)  error    -       -                  -             \(SafeLine.clean(row.failure ?? "unknown"))\n"
                continue
            }
            let auth = r.eligibility.applies ? (r.eligibility.eligible ? "eligible" : "NOT ELIGIBLE") : "n/a"
            let open = r.requirements.filter { $0.status == .notCompleted || $0.status == .error }
                .map { $0.status == .error ? $0.requirement.id + " (could not check)" : $0.requirement.id }
            out += "\(name)  \(Scoring.format(r.score).padded(7))  \("\(r.earnedPoints)/\(r.maxPoints)".padded(6))  \(r.partnerType.rawValue.padded(17))  \(auth.padded(12))  \(open.isEmpty ? "-" : open.joined(separator: ", "))\n"
        }
        let evaluated = rows.compactMap(\.report)
        let failed = rows.count - evaluated.count
        let eligible = evaluated.filter { $0.eligibility.applies && $0.eligibility.eligible }.count
        out += "\n\(rows.count) partners: \(evaluated.count) evaluated, \(failed) could not be evaluated; \(eligible) eligible for CSP authorization"
        if !evaluated.isEmpty {
            let scores = evaluated.compactMap(\.score)
            if !scores.isEmpty { out += "; average score \(Scoring.format(scores.reduce(0, +) / Double(scores.count)))" }
        }
        return out + ".\n"
    }
}

extension String {
    func padded(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
