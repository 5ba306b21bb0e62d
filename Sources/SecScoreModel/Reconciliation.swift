import SecScoreWire
public import TenantSnapshot

/// secscore's score beside Microsoft's (Partner Center's partner security
/// score), requirement by requirement, each difference explained from the
/// data: Microsoft's own counts beside secscore's, its refresh time against
/// the as-of day, requirements or points the catalog does not have, preview
/// requirements. It informs; it never changes points or the exit status.
public struct Reconciliation: Sendable {
    /// Partner Center's current score and maximum, as exported.
    public var microsoftScore: Double?
    public var microsoftMaxScore: Double?
    /// When Microsoft last refreshed it, YYYY-MM-DD.
    public var refreshed: String?
    /// One row per requirement either side scores, secscore's order first.
    public var rows: [Row]
    /// Microsoft's score history, oldest first: (YYYY-MM-DD, score).
    public var history: [(day: String, score: Double)]

    public struct Row: Sendable {
        public var requirementID: String
        public var title: String
        /// secscore's status and points; nil when the catalog lacks it.
        public var ours: (status: RequirementStatus, points: Int, maxPoints: Int)?
        /// Partner Center's status (compliant, noncompliant or what it sent)
        /// and points; nil when its export lacks it.
        public var microsoft: (status: String, points: Double?, maxPoints: Double?, preview: Bool)?
        /// True when both give the same status and points.
        public var agrees: Bool
        /// "matches Partner Center", or why they differ, sentence by sentence.
        public var explanations: [String]
    }

    /// Rows that disagree.
    public var differences: [Row] { rows.filter { !$0.agrees } }

    /// Reconciles `report` with Microsoft's score.
    public static func between(_ report: EvaluationReport, _ microsoft: MicrosoftScore) -> Reconciliation {
        let asOf = report.asOf
        var byType: [String: MicrosoftScore.Requirement] = [:]
        for r in microsoft.requirements where byType[r.requirementType] == nil { byType[r.requirementType] = r }
        var rows: [Row] = []
        var used = Set<String>()
        for result in report.requirements + report.futureRequirements {
            let id = result.requirement.id
            let future = Scoring.isFuture(result.requirement, asOf: asOf)
            let ours = (status: result.status, points: result.points, maxPoints: result.maxPoints)
            guard let theirs = byType[id] ?? microsoft.requirements.first(where: { $0.id == id }) else {
                let text = future
                    ? "Not in Partner Center's export; secscore shows it as a future requirement (not counted)."
                    : "Partner Center's export has no \(id): it was not exported, or Partner Center does not score it yet."
                rows.append(Row(requirementID: id, title: result.requirement.title, ours: ours, microsoft: nil,
                                agrees: result.status == .notApplicable, explanations: [text]))
                continue
            }
            used.insert(theirs.requirementType)
            rows.append(row(result, theirs, report: report, refreshedMs: theirs.updatedMs ?? microsoft.lastRefreshMs, future: future))
        }
        for theirs in microsoft.requirements where !used.contains(theirs.requirementType) {
            used.insert(theirs.requirementType)
            let preview = theirs.state == "preview"
            let points = theirs.maxScore.map { " (\(Scoring.number($0)) points)" } ?? ""
            let text = preview
                ? "A preview requirement in Partner Center\(points), not counted there yet; catalog edition \(report.edition.id) does not have it: update the catalog when it takes effect."
                : "Partner Center scores \(theirs.requirementType)\(points), which catalog edition \(report.edition.id) does not have: the catalog is out of date; update edition \(report.edition.id)."
            rows.append(Row(requirementID: theirs.requirementType, title: theirs.requirementType, ours: nil,
                            microsoft: (status(theirs.compliance), theirs.score, theirs.maxScore, preview),
                            agrees: false, explanations: [text]))
        }
        return Reconciliation(
            microsoftScore: microsoft.currentScore, microsoftMaxScore: microsoft.maxScore,
            refreshed: microsoft.lastRefreshMs.map { CivilDate(unixMillis: $0).description }, rows: rows,
            history: microsoft.history.map { (CivilDate(unixMillis: $0.createdMs).description, $0.score) })
    }

    static func row(
        _ result: RequirementResult, _ theirs: MicrosoftScore.Requirement, report: EvaluationReport, refreshedMs: Int64?, future: Bool
    ) -> Row {
        let id = result.requirement.id
        let preview = theirs.state == "preview"
        let microsoft = (status(theirs.compliance), theirs.score, theirs.maxScore, preview)
        var why: [String] = []
        let samePoints = theirs.score.map { Int($0) == result.points } ?? false
        let sameStatus: Bool = switch (result.status, theirs.compliance) {
        case (.completed, .compliant), (.notCompleted, .noncompliant): true
        default: false
        }
        if let max = theirs.maxScore, result.status != .notApplicable, Int(max) != result.requirement.maxPoints {
            why.append("Partner Center gives it \(Scoring.number(max)) points, catalog edition \(report.edition.id) \(result.requirement.maxPoints): the catalog is out of date; update edition \(report.edition.id).")
        }
        if preview { why.append("A preview requirement in Partner Center: shown there, not counted.") }
        if future && !preview { why.append("secscore shows it as a future requirement on \(report.asOf) (from \(result.requirement.effectiveDate)); Partner Center already scores it.") }
        if sameStatus && samePoints && why.isEmpty {
            return Row(requirementID: id, title: result.requirement.title, ours: (result.status, result.points, result.maxPoints),
                       microsoft: microsoft, agrees: true, explanations: ["matches Partner Center"])
        }
        switch (result.status, theirs.compliance) {
        case (.error, _):
            why.append("secscore could not check it (\(result.reason ?? "see above")); Partner Center says \(status(theirs.compliance)).")
        case (.notApplicable, _):
            why.append("It does not apply to \(report.partnerType.rawValue) partners in the catalog; Partner Center still lists it.")
        case (_, .unknown(let raw)):
            why.append("Partner Center's status is \"\(raw)\", neither compliant nor noncompliant, so it cannot be compared.")
        default:
            if !sameStatus { why += counts(result, theirs) }
        }
        if !sameStatus, let refreshedMs {
            let day = CivilDate(unixMillis: refreshedMs)
            let apart = abs(Int((report.asOf.startUnixMillis - day.startUnixMillis) / 86_400_000))
            if apart >= 1 {
                why.append("Partner Center computed it on \(day); secscore's data is as of \(report.asOf), \(apart) day\(apart == 1 ? "" : "s") apart: the tenant may have changed in between.")
            }
        }
        if why.isEmpty {
            why.append("Partner Center's export carries no counts for this requirement that would say why; compare its portal view with the insights above.")
        }
        return Row(requirementID: id, title: result.requirement.title, ours: (result.status, result.points, result.maxPoints),
                   microsoft: microsoft, agrees: false, explanations: why)
    }

    /// Microsoft's counts beside secscore's, where its derived requirement
    /// types carry them.
    static func counts(_ result: RequirementResult, _ theirs: MicrosoftScore.Requirement) -> [String] {
        let ours = Dictionary(result.evidence.metrics.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        let c = theirs.counts
        func n(_ v: Double?) -> String { v.map(Scoring.number) ?? "?" }
        switch result.requirement.id {
        case "mfaEnforcedForAdmins":
            guard c["adminsRequiredNotUsingMfaCount"] != nil || c["mfaEnabledAdminsCount"] != nil else { return [] }
            var microsoft: [String] = []
            if let v = c["mfaEnabledAdminsCount"] { microsoft.append("\(Scoring.number(v)) admins with MFA enabled") }
            if let v = c["adminsRequiredNotUsingMfaCount"] { microsoft.append("\(Scoring.number(v)) admins required to use MFA who have not completed registration") }
            return ["Partner Center counts \(microsoft.joined(separator: " and ")); secscore counts \(n(ours["admins"])) admins (active or PIM-eligible), \(n(ours["adminsNotCovered"])) not covered by an MFA requirement and \(n(ours["adminsNotRegistered"])) not registered. Partner Center measures MFA usage at sign-in; secscore reads the policies that enforce it."]
        case "securityAlertsPromptlyResolved":
            guard let hours = c["averageResponseTimeInHours"] else { return [] }
            return ["Partner Center's average response is \(Scoring.number(hours)) h; secscore's is \(n(ours["averageResponseHours"])) h over \(n(ours["alerts"])) alerts in the 30 days before the as-of day."]
        case "spendingBudgetSetForCustomerAzureSubscriptions":
            guard let with = c["customersWithSpendBudgetCount"] else { return [] }
            let total = c["totalCustomersCount"].map { " of \(Scoring.number($0))" } ?? ""
            let azure = ours["customersWithAzure"], without = ours["customersWithoutBudget"]
            let withOurs = azure.flatMap { a in without.map { a - $0 } }
            return ["Partner Center counts \(Scoring.number(with))\(total) customers with a spending budget; secscore counts \(n(withOurs)) of \(n(azure)) customers with Azure subscriptions."]
        case "mfaEnforcedForAdminsOfCustomers":
            guard let compliant = c["compliantTenantCount"] else { return [] }
            let total = c["totalTenantCount"].map { " of \(Scoring.number($0))" } ?? ""
            let customers = ours["customers"], failing = ours["customersNotCompliant"]
            let compliantOurs = customers.flatMap { a in failing.map { a - $0 } }
            return ["Partner Center counts \(Scoring.number(compliant))\(total) customer tenants compliant; secscore counts \(n(compliantOurs)) of \(n(customers))."]
        default:
            return []
        }
    }

    static func status(_ c: MicrosoftScore.Compliance) -> String {
        switch c {
        case .compliant: "compliant"
        case .noncompliant: "noncompliant"
        case .unknown(let raw): raw
        }
    }

}
