package import SecScoreModel
import SecScoreWire
import TenantSnapshot

/// The machine-readable report, `--format json`. Its shape is versioned by
/// `schemaVersion` and described in docs/report-schema.json.
package enum JSONReport {
    /// - Parameter history: what changed since the last recorded run and
    ///   the trend (`--history`), as a "history" member; nil leaves it out.
    package static func render(_ report: EvaluationReport, history: ReportHistory? = nil) -> String {
        document(report, history: history).rendered()
    }

    /// The same text as `render`, handed to `sink` in chunks as it is
    /// written (`JSONOut.write(to:)`); false when the sink stopped it.
    package static func write(_ report: EvaluationReport, history: ReportHistory? = nil, to sink: (UnsafeRawBufferPointer) -> Bool) -> Bool {
        document(report, history: history).write(to: sink)
    }

    static func document(_ report: EvaluationReport, history: ReportHistory? = nil) -> JSONOut {
        var members: [(String, JSONOut)] = [
            ("schemaVersion", .int(EvaluationReport.schemaVersion)),
            ("score", report.score.map { .double(($0 * 100).rounded() / 100) } ?? .null),
            ("earnedPoints", .int(report.earnedPoints)),
            ("maxPoints", .int(report.maxPoints)),
            ("edition", .string(report.edition.id)),
            ("asOf", .string(report.asOf.description)),
            ("partner", .object([
                ("tenantId", .string(report.partner.tenantID)),
                ("displayName", .string(report.partner.displayName)),
                ("partnerType", .string(report.partnerType.rawValue)),
            ])),
            ("eligibility", .object([
                ("eligible", report.eligibility.applies && report.eligibility.decided ? .bool(report.eligibility.eligible) : .null),
                ("nextValidation", report.eligibility.nextValidation.map(JSONOut.string) ?? .null),
                ("missingMandatory", .array(report.eligibility.missing.map(JSONOut.string))),
            ])),
            ("requirements", .array(report.requirements.map(requirement))),
            ("futureRequirements", .array(report.futureRequirements.map(requirement))),
        ]
        if let reconciliation = report.reconciliation { members.append(("microsoft", ReconciliationSection.json(reconciliation))) }
        if let history { members.append(("history", history.json())) }
        return .object(members)
    }

    static func requirement(_ r: RequirementResult) -> JSONOut {
        var members: [(String, JSONOut)] = [
            ("id", .string(r.requirement.id)),
            ("title", .string(r.requirement.title)),
            ("type", r.requirement.type.map { .string($0.rawValue) } ?? .null),
            ("status", .string(r.status.rawValue)),
            ("points", .int(r.points)),
            ("maxPoints", .int(r.maxPoints)),
            ("insights", .array(r.insights.map(JSONOut.string))),
            ("evidence", evidence(r.evidence)),
            ("instructionsUrl", .string(r.requirement.instructionsURL)),
            ("actionUrl", .string(r.requirement.actionURL)),
        ]
        if r.status == .error { members.append(("reason", .string(r.reason ?? "unknown"))) }
        if let plugin = r.plugin { members.append(("plugin", .string(plugin))) }
        return .object(members)
    }

    static func evidence(_ e: Secscore_Plugin_V1_Evidence) -> JSONOut {
        .object([
            // A plugin may repeat a metric name; JSON objects may not.
            ("metrics", .object(e.metrics.reduce(into: [(String, JSONOut)]()) { out, m in
                if !out.contains(where: { $0.0 == m.name }) { out.append((m.name, .double(m.value))) }
            })),
            ("items", .lazyArray(count: e.items.count) { index in
                let item = e.items[index]
                return .object([
                    ("kind", .string(item.kind)),
                    ("id", .string(item.id)),
                    ("name", .string(item.name)),
                    ("status", .string(item.status)),
                    ("reasons", .array(item.reasons.map(JSONOut.string))),
                    ("attributes", .object(item.attributes.reduce(into: [(String, JSONOut)]()) { out, a in
                        if !out.contains(where: { $0.0 == a.name }) { out.append((a.name, .string(a.value))) }
                    })),
                ])
            }),
        ])
    }
}
