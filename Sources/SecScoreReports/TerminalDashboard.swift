package import SecScoreModel
import SecScoreWire
import TenantSnapshot

/// The dashboard in a terminal: the two overview boxes, the requirements
/// with every column of Partner Center's table, future requirements and the
/// CSP authorization line. Wraps to `width`; never cuts an insight.
package struct TerminalDashboard: Sendable {
    package var width: Int
    /// ANSI colour; only for a terminal.
    package var color: Bool
    package init(width: Int = 100, color: Bool = false) {
        self.width = max(60, min(width, 160))
        self.color = color
    }

    /// - Parameter history: adds "Changed since the last run" (`--history`).
    package func render(_ report: EvaluationReport, history: ReportHistory? = nil) -> String {
        var out: [String] = []
        let partnerName = report.partner.displayName.isEmpty ? "(unnamed partner)" : report.partner.displayName
        out.append(bold("Security requirements — \(SafeLine.clean(partnerName))"))
        var sub = "\(typeName(report.partnerType)) partner"
        if !report.partner.tenantID.isEmpty { sub += ", tenant \(SafeLine.clean(report.partner.tenantID))" }
        sub += " · as of \(report.asOf) · edition \(report.edition.id)"
        out.append(dim(sub))
        out.append("")
        out += overview(report)
        out.append("")
        out += authorization(report)
        out.append("")
        out.append(bold("Security requirements"))
        out.append(rule())
        for r in report.requirements {
            out += row(r, edition: report.edition)
            out.append(rule())
        }
        out.append("")
        out.append(bold("Future requirements"))
        if report.futureRequirements.isEmpty {
            out.append("  None announced in this catalog edition.")
        } else {
            out.append(rule())
            for r in report.futureRequirements {
                out += row(r, edition: report.edition, future: true)
                out.append(rule())
            }
        }
        for section in [report.reconciliation.map { ReconciliationSection.terminalLines($0, report) }, history?.terminalLines()] {
            guard let lines = section else { continue }
            out.append("")
            out.append(bold(lines[0]))
            for line in lines.dropFirst() {
                // "  - change": the dash hangs, continuation lines align with the text.
                let item = line.hasPrefix("  ")
                out += wrap(SafeText.sanitize(item ? String(line.dropFirst(2)) : line), indent: item ? 2 : 0, hanging: item ? 2 : 0)
            }
        }
        return out.joined(separator: "\n") + "\n"
    }

    // MARK: Sections

    func overview(_ report: EvaluationReport) -> [String] {
        let applicable = report.requirements.filter { $0.status != .notApplicable }
        func count(_ status: [RequirementStatus], _ type: RequirementType?) -> Int {
            applicable.filter { status.contains($0.status) && (type == nil || $0.requirement.type == type) }.count
        }
        let done = count([.completed], nil)
        let notDone = count([.notCompleted], nil)
        // Could not check is not a failure: it earns nothing, but says so.
        let unchecked = count([.error], nil)
        var left = [
            "Security score",
            Scoring.format(report.score),
            "\(report.earnedPoints) of \(report.maxPoints) points",
        ]
        var right = ["Requirements"]
        if report.edition.hasRequirementTypes {
            right.append("Completed      \(done)  (mandatory \(count([.completed], .mandatory)), recommended \(count([.completed], .recommended)))")
            right.append("Not completed  \(notDone)  (mandatory \(count([.notCompleted], .mandatory)), recommended \(count([.notCompleted], .recommended)))")
            if unchecked > 0 {
                right.append("Not checked    \(unchecked)  (mandatory \(count([.error], .mandatory)), recommended \(count([.error], .recommended)))")
            }
        } else {
            right.append("Completed      \(done)")
            right.append("Not completed  \(notDone)")
            if unchecked > 0 { right.append("Not checked    \(unchecked)") }
        }
        let na = report.requirements.count - applicable.count
        if na > 0 { right.append("Not applicable \(na)") }
        while left.count < right.count { left.append("") }
        while right.count < left.count { right.append("") }
        let lw = 24
        let rw = max(30, min(width - lw - 7, right.map(\.count).max() ?? 30))
        var lines = ["+" + String(repeating: "-", count: lw + 2) + "+ +" + String(repeating: "-", count: rw + 2) + "+"]
        for (i, (l, r)) in zip(left, right).enumerated() {
            let lt = i == 1 ? bold(pad(l, lw)) : pad(l, lw)
            lines.append("| \(lt) | | \(pad(r, rw)) |")
        }
        lines.append(lines[0])
        return lines
    }

    func authorization(_ report: EvaluationReport) -> [String] {
        let e = report.eligibility
        guard e.applies else {
            return ["CSP authorization: edition \(report.edition.id) has no mandatory requirements, so the score does not decide authorization."]
        }
        let next = e.nextValidation.map { "next annual validation \($0)" } ?? "next validation month unknown (add onboardedDate to partner.json)"
        if let why = report.undecidedAuthorization {
            return wrap(colored("CSP authorization: NOT DECIDED", .yellow) + " — \(why); \(next).", indent: 0)
        }
        if e.eligible {
            return [colored("CSP authorization: eligible", .green) + " — every mandatory requirement is completed; \(next)."]
        }
        return wrap(colored("CSP authorization: NOT ELIGIBLE", .red) + " — \(Scoring.missingText(report, title: { $0 })); \(next).", indent: 0)
    }

    func row(_ r: RequirementResult, edition: Edition, future: Bool = false) -> [String] {
        var lines: [String] = []
        let type = r.requirement.type.map { $0 == .mandatory ? "Mandatory" : "Recommended" } ?? "Requirement"
        let score = r.status == .notApplicable ? "n/a" : "\(r.points)/\(r.maxPoints)"
        let status = statusText(r.status)
        let head = "\(pad(type, 12)) \(r.requirement.title)"
        let tail = "\(status)  \(future ? "would score " : "")\(score)"
        let visibleTail = visibleLength(tail)
        if visibleLength(head) + visibleTail + 2 <= width {
            lines.append(bold(head) + String(repeating: " ", count: width - visibleLength(head) - visibleTail) + tail)
        } else {
            lines += wrap(bold(head), indent: 0)
            lines.append(String(repeating: " ", count: max(0, width - visibleTail)) + tail)
        }
        if future {
            lines += wrap("Takes effect \(r.requirement.effectiveDate)\(r.requirement.isPreview ? " (preview)" : "").", indent: 13)
        }
        lines += wrap(r.requirement.description, indent: 13, style: dim)
        if let reason = r.reason, r.status == .error {
            lines += wrap("Could not check: " + SafeLine.clean(reason), indent: 13, style: { self.colored($0, .yellow) })
        }
        let insights = r.insights
        if !insights.isEmpty {
            lines.append(String(repeating: " ", count: 13) + "Insights:")
            for insight in insights {
                lines += wrap("• " + SafeLine.clean(insight), indent: 15, hanging: 2)
            }
        }
        lines += wrap("Instructions: \(r.requirement.instructionsURL)", indent: 13)
        lines += wrap("Action:       \(r.requirement.actionURL)", indent: 13)
        return lines
    }

    // MARK: Text helpers

    enum Tint: String { case red = "31", green = "32", yellow = "33" }

    func statusText(_ s: RequirementStatus) -> String {
        switch s {
        case .completed: colored("Completed", .green)
        case .notCompleted: colored("Not completed", .red)
        case .notApplicable: "Not applicable"
        case .error: colored("Could not check", .yellow)
        }
    }

    func typeName(_ t: PartnerProfile.PartnerType) -> String {
        switch t {
        case .directBill: "Direct-bill"
        case .distributor: "Distributor"
        case .indirectReseller: "Indirect reseller"
        }
    }

    func colored(_ s: String, _ tint: Tint) -> String { color ? "\u{1B}[\(tint.rawValue)m\(s)\u{1B}[0m" : s }
    func bold(_ s: String) -> String { color ? "\u{1B}[1m\(s)\u{1B}[0m" : s }
    func dim(_ s: String) -> String { color ? "\u{1B}[2m\(s)\u{1B}[0m" : s }
    func rule() -> String { String(repeating: "-", count: width) }

    func pad(_ s: String, _ n: Int) -> String {
        let len = visibleLength(s)
        return len >= n ? s : s + String(repeating: " ", count: n - len)
    }

    /// Length without ANSI escapes, in characters.
    func visibleLength(_ s: String) -> Int {
        var n = 0
        var inEscape = false
        for ch in s {
            if ch == "\u{1B}" { inEscape = true; continue }
            if inEscape { if ch == "m" { inEscape = false }; continue }
            n += 1
        }
        return n
    }

    /// Word-wraps `text` to the width at `indent`. A word longer than a line
    /// (a URL) gets a line of its own and runs past the width rather than
    /// being split, so it can still be copied.
    func wrap(_ text: String, indent: Int, hanging: Int = 0, style: ((String) -> String)? = nil) -> [String] {
        let available = max(20, width - indent)
        var lines: [String] = []
        var current = ""
        var currentLength = 0
        func flush() {
            let prefix = String(repeating: " ", count: indent + (lines.isEmpty ? 0 : hanging))
            lines.append(prefix + (style?(current) ?? current))
            current = ""
            currentLength = 0
        }
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            let w = String(word)
            let limit = available - (lines.isEmpty ? 0 : hanging)
            let wl = visibleLength(w)
            if currentLength > 0 && currentLength + 1 + wl > limit { flush() }
            if currentLength > 0 { current += " "; currentLength += 1 }
            current += w
            currentLength += wl
        }
        if currentLength > 0 || lines.isEmpty { flush() }
        return lines
    }
}

/// Plugin text made safe for one line of a report: newlines and tabs fold
/// to spaces (one insight stays one item), then `SafeText` escapes control
/// and bidirectional characters exactly as the host does for logs.
enum SafeLine {
    static func clean(_ s: String) -> String {
        var folded = ""
        folded.unicodeScalars.reserveCapacity(s.unicodeScalars.count)
        for scalar in s.unicodeScalars {
            folded.unicodeScalars.append(scalar == "\n" || scalar == "\r" || scalar == "\t" ? " " : scalar)
        }
        return SafeText.sanitize(folded)
    }
}
