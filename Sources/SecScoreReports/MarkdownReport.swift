package import SecScoreModel
import TenantSnapshot

/// GitHub-flavoured Markdown that fits a CI job summary.
package enum MarkdownReport {
    /// - Parameter history: adds "Changed since the last run" (`--history`).
    package static func render(_ report: EvaluationReport, history: ReportHistory? = nil) -> String {
        var out: [String] = []
        let name = report.partner.displayName.isEmpty ? "(unnamed partner)" : report.partner.displayName
        out.append("# Security requirements: \(text(name))")
        out.append("")
        out.append("**Security score \(Scoring.format(report.score))** (\(report.earnedPoints) of \(report.maxPoints) points) · \(report.partnerType.rawValue) · as of \(report.asOf) · edition \(report.edition.id)")
        out.append("")
        let e = report.eligibility
        if e.applies {
            let next = e.nextValidation.map { ", next validation \($0)" } ?? ""
            if let why = report.undecidedAuthorization {
                out.append("⚠️ **CSP authorization: not decided**: \(why)\(next).")
            } else {
                out.append(e.eligible ? "✅ **CSP authorization: eligible**\(next)." : "❌ **CSP authorization: not eligible**: \(Scoring.missingText(report, separator: ", ", title: { "`\(idOf($0, report))`" }))\(next).")
            }
            out.append("")
        }
        out.append("| Type | Requirement | Status | Score |")
        out.append("|---|---|---|---|")
        for r in report.requirements {
            out.append("| \(type(r)) | \(text(r.requirement.title)) | \(status(r.status)) | \(r.status == .notApplicable ? "n/a" : "\(r.points)/\(r.maxPoints)") |")
        }
        out.append("")
        for r in report.requirements where r.status != .notApplicable {
            out.append("## \(status(r.status)) \(text(r.requirement.title))")
            out.append("")
            if let reason = r.reason, r.status == .error { out.append("> Could not check: \(text(reason))"); out.append("") }
            for insight in r.insights { out.append("- \(text(insight))") }
            if !r.insights.isEmpty { out.append("") }
            out.append("[Instructions](\(url(r.requirement.instructionsURL))) · [Take action](\(url(r.requirement.actionURL)))")
            out.append("")
        }
        if !report.futureRequirements.isEmpty {
            out.append("## Future requirements")
            out.append("")
            for r in report.futureRequirements {
                out.append("- \(text(r.requirement.title)) (from \(r.requirement.effectiveDate)): would be \(status(r.status)), \(r.maxPoints) points")
            }
            out.append("")
        }
        if let reconciliation = report.reconciliation { out.append(ReconciliationSection.markdown(reconciliation, report)) }
        if let history { out.append(history.markdown()) }
        return out.joined(separator: "\n")
    }

    static func type(_ r: RequirementResult) -> String {
        switch r.requirement.type {
        case .mandatory: "Mandatory"
        case .recommended: "Recommended"
        case nil: "—"
        }
    }

    static func status(_ s: RequirementStatus) -> String {
        switch s {
        case .completed: "✅ Completed"
        case .notCompleted: "❌ Not completed"
        case .notApplicable: "➖ Not applicable"
        case .error: "⚠️ Could not check"
        }
    }

    /// Plugin text made inert in Markdown: no HTML, no links, no table breaks.
    static func text(_ s: String) -> String {
        var out = ""
        for ch in SafeLine.clean(s) {
            switch ch {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "|": out += "\\|"
            case "[", "]", "`", "*", "_", "\\", "!": out += "\\" + String(ch)
            default: out.append(ch)
            }
        }
        return out
    }

    /// Only http(s) URLs, with characters that would end the link escaped.
    static func url(_ s: String) -> String {
        guard s.hasPrefix("https://") || s.hasPrefix("http://") else { return "#" }
        return s.replacingAll(["(": "%28", ")": "%29", " ": "%20", "<": "%3C", ">": "%3E"])
    }
}

extension String {
    func replacingAll(_ map: [Character: String]) -> String {
        var out = ""
        for ch in self { out += map[ch] ?? String(ch) }
        return out
    }
}

/// The id of the requirement titled `title`, for Markdown's code spans.
private func idOf(_ title: String, _ report: EvaluationReport) -> String {
    report.requirements.first { $0.requirement.title == title }?.requirement.id ?? title
}
