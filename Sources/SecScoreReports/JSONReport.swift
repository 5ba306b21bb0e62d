package import SecScoreModel
package import SecScoreWire
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

    package static func evidence(_ e: Secscore_Plugin_V1_Evidence) -> JSONOut {
        .object([
            // A plugin may repeat a metric name; JSON objects may not.
            ("metrics", .object(e.metrics.reduce(into: [(String, JSONOut)]()) { out, m in
                if !out.contains(where: { $0.0 == m.name }) { out.append((m.name, .double(m.value))) }
            })),
            ("items", .writtenArray(count: e.items.count) { index, out, indent in
                item(e.items[index], into: &out, indent: indent)
            }),
        ])
    }

    /// One evidence item: kind, id, name, status, reasons and attributes
    /// (the first of any repeated name), as `JSONOut` would lay it out.
    static func item(_ item: Secscore_Plugin_V1_EvidenceItem, into out: inout JSONByteSink, indent: Int) {
        var object = JSONOut.ObjectLayout(indent: indent, into: &out)
        object.member("kind", item.kind, into: &out)
        object.member("id", item.id, into: &out)
        object.member("name", item.name, into: &out)
        object.member("status", item.status, into: &out)
        object.member("reasons", into: &out)
        var reasons = JSONOut.ArrayLayout(indent: indent + 1, into: &out)
        for reason in item.reasons {
            reasons.element(into: &out)
            JSONOut.quote(reason, into: &out)
        }
        reasons.end(into: &out)
        object.member("attributes", into: &out)
        var attributes = JSONOut.ObjectLayout(indent: indent + 1, into: &out)
        let all = item.attributes
        for (i, a) in all.enumerated() where !all[..<i].contains(where: { $0.name == a.name }) {
            attributes.member(a.name, a.value, into: &out)
        }
        attributes.end(into: &out)
        object.end(into: &out)
    }
}
