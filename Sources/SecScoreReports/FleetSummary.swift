package import SecScoreModel
import SecScoreWire
import TenantSnapshot

/// The fleet summary: one row per partner, lowest score first (the ones to
/// look at), snapshots that could not be evaluated at the top.
package enum FleetSummary {
    /// What the summary keeps of one partner: a few fields, so that a fleet
    /// of any size is summarised in little memory once each report is
    /// written out and dropped.
    package struct Row: Sendable {
        /// The snapshot folder's name.
        package var name: String
        /// Why the partner could not be evaluated at all, or nil.
        package var failure: String?
        package var score: Double?
        package var earnedPoints = 0
        package var maxPoints = 0
        package var partnerType = ""
        /// "eligible", "not eligible" or "n/a" (the edition has no Mandatory type).
        package var authorization = "n/a"
        /// Requirements not completed.
        package var notCompleted: [String] = []
        /// Requirements that could not be checked.
        package var errors: [String] = []

        /// The row of an evaluated partner.
        package init(name: String, report: EvaluationReport) {
            self.name = name
            self.score = report.score
            self.earnedPoints = report.earnedPoints
            self.maxPoints = report.maxPoints
            self.partnerType = report.partnerType.rawValue
            self.authorization = report.eligibility.label
            self.notCompleted = report.requirements.filter { $0.status == .notCompleted }.map(\.requirement.id)
            self.errors = report.requirements.filter { $0.status == .error }.map(\.requirement.id)
        }

        /// The row of a partner that could not be evaluated.
        package init(name: String, failure: String) {
            self.name = name
            self.failure = failure
        }
    }

    /// Rows worst first: partners that could not be evaluated (or scored),
    /// then the lowest scores; ties by name.
    package static func worstFirst(_ rows: [Row]) -> [Row] {
        rows.sorted { a, b in
            switch (a.score, b.score) {
            case (nil, nil): return a.name < b.name
            case (nil, _): return true
            case (_, nil): return false
            case (let x?, let y?): return x != y ? x < y : a.name < b.name
            }
        }
    }

    /// The table for a terminal.
    package static func render(_ rows: [Row]) -> String {
        let sorted = worstFirst(rows)
        let nameWidth = max(7, min(40, rows.map(\.name.count).max() ?? 7))
        var out = "PARTNER".padded(nameWidth) + "  SCORE    POINTS  TYPE               CSP AUTH      NOT COMPLETED / COULD NOT CHECK\n"
        for row in sorted {
            let name = String(row.name.prefix(nameWidth)).padded(nameWidth)
            if let failure = row.failure {
                out += "\(name)  error    -       -                  -             \(SafeLine.clean(failure))\n"
                continue
            }
            let auth = row.authorization == "not eligible" ? "NOT ELIGIBLE" : row.authorization
            let open = row.notCompleted + row.errors.map { $0 + " (could not check)" }
            out += "\(name)  \(Scoring.format(row.score).padded(7))  \("\(row.earnedPoints)/\(row.maxPoints)".padded(6))  \(row.partnerType.padded(17))  \(auth.padded(12))  \(open.isEmpty ? "-" : open.joined(separator: ", "))\n"
        }
        let evaluated = rows.filter { $0.failure == nil }
        let failed = rows.count - evaluated.count
        let eligible = evaluated.filter { $0.authorization == "eligible" }.count
        out += "\n\(rows.count) partners: \(evaluated.count) evaluated, \(failed) could not be evaluated; \(eligible) eligible for CSP authorization"
        let scores = evaluated.compactMap(\.score)
        if !scores.isEmpty { out += "; average score \(Scoring.format(scores.reduce(0, +) / Double(scores.count)))" }
        return out + ".\n"
    }

    /// The same rows as JSON, in folder order, for scripts and dashboards.
    /// - Parameter restarts: plugins that were restarted during the run, by name.
    package static func renderJSON(_ rows: [Row], restarts: [(plugin: String, count: Int)] = []) -> String {
        let partners = rows.map { row -> JSONOut in
            if let failure = row.failure {
                return .object([("name", .string(row.name)), ("failure", .string(failure))])
            }
            return .object([
                ("name", .string(row.name)),
                ("score", row.score.map(JSONOut.double) ?? .null),
                ("earnedPoints", .int(row.earnedPoints)),
                ("maxPoints", .int(row.maxPoints)),
                ("partnerType", .string(row.partnerType)),
                ("authorization", .string(row.authorization)),
                ("notCompleted", .array(row.notCompleted.map(JSONOut.string))),
                ("couldNotCheck", .array(row.errors.map(JSONOut.string))),
            ])
        }
        return JSONOut.object([
            ("partners", .array(partners)),
            ("pluginRestarts", .object(restarts.map { ($0.plugin, JSONOut.int($0.count)) })),
        ]).rendered()
    }
}

extension String {
    func padded(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
