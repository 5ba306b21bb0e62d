import SecScoreModel

/// "Beside Partner Center": Microsoft's score and each requirement's status
/// and points beside secscore's, with why they differ. Every format shows
/// it when the snapshot has `microsoftScore.json`.
enum ReconciliationSection {
    static func headline(_ r: Reconciliation, _ report: EvaluationReport) -> String {
        let theirs = r.microsoftScore.map(Scoring.format) ?? "not exported"
        let refreshed = r.refreshed.map { " (refreshed \($0))" } ?? ""
        let differ = r.differences.count
        return "Partner Center: \(theirs)\(refreshed) · secscore: \(Scoring.format(report.score)) (as of \(report.asOf)) · "
            + (differ == 0 ? "every requirement matches." : "\(differ) requirement\(differ == 1 ? "" : "s") differ.")
            + " Reconciliation informs; the score and exit status are secscore's."
    }

    static func ours(_ row: Reconciliation.Row) -> String {
        guard let o = row.ours else { return "not in the catalog" }
        let status = switch o.status {
        case .completed: "completed"
        case .notCompleted: "not completed"
        case .notApplicable: "not applicable"
        case .error: "could not check"
        }
        return o.status == .notApplicable ? status : "\(status) \(o.points)/\(o.maxPoints)"
    }

    static func theirs(_ row: Reconciliation.Row) -> String {
        guard let m = row.microsoft else { return "not exported" }
        let points = m.points.map { p in "\(Scoring.number(p))/\(m.maxPoints.map(Scoring.number) ?? "?")" } ?? ""
        return "\(m.status)\(points.isEmpty ? "" : " " + points)\(m.preview ? " (preview)" : "")"
    }


    static func terminalLines(_ r: Reconciliation, _ report: EvaluationReport) -> [String] {
        var out = ["Beside Partner Center", headline(r, report)]
        for row in r.rows {
            out.append("  - \(row.title): secscore \(ours(row)) · Partner Center \(theirs(row)) — \(row.explanations.joined(separator: " "))")
        }
        return out
    }

    static func markdown(_ r: Reconciliation, _ report: EvaluationReport) -> String {
        var out = "## Beside Partner Center\n\n\(MarkdownReport.text(headline(r, report)))\n\n| Requirement | secscore | Partner Center | Why |\n|---|---|---|---|\n"
        for row in r.rows {
            out += "| \(MarkdownReport.text(row.title)) | \(ours(row)) | \(MarkdownReport.text(theirs(row))) | \(MarkdownReport.text(row.explanations.joined(separator: " "))) |\n"
        }
        return out + "\n"
    }

    static func html(_ r: Reconciliation, _ report: EvaluationReport) -> String {
        var h = "<h2>Beside Partner Center</h2>\n<p>\(XML.escape(headline(r, report)))</p>\n"
        h += "<table class=\"req\"><thead><tr><th>Requirement</th><th>secscore</th><th>Partner Center</th><th>Why</th></tr></thead><tbody>\n"
        for row in r.rows {
            h += "<tr><td>\(XML.escape(row.title))</td><td>\(XML.escape(ours(row)))</td><td>\(XML.escape(theirs(row)))</td>"
            h += "<td class=\"\(row.agrees ? "completed" : "")\">\(row.explanations.map(XML.escape).joined(separator: "<br>"))</td></tr>\n"
        }
        return h + "</tbody></table>\n"
    }

    static func json(_ r: Reconciliation) -> JSONOut {
        .object([
            ("score", r.microsoftScore.map { .double(($0 * 100).rounded() / 100) } ?? .null),
            ("maxScore", r.microsoftMaxScore.map(JSONOut.double) ?? .null),
            ("refreshed", r.refreshed.map(JSONOut.string) ?? .null),
            ("requirements", .array(r.rows.map { row in
                .object([
                    ("id", .string(row.requirementID)),
                    ("status", row.microsoft.map { .string($0.status) } ?? .null),
                    ("points", row.microsoft?.points.map(JSONOut.double) ?? .null),
                    ("maxPoints", row.microsoft?.maxPoints.map(JSONOut.double) ?? .null),
                    ("preview", .bool(row.microsoft?.preview ?? false)),
                    ("agrees", .bool(row.agrees)),
                    ("explanations", .array(row.explanations.map(JSONOut.string))),
                ])
            })),
            ("history", .array(r.history.map { .object([("day", .string($0.day)), ("score", .double($0.score))]) })),
        ])
    }
}
