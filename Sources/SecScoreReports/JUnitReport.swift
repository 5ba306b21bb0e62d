package import SecScoreModel
import TenantSnapshot

/// JUnit XML: one test case per requirement, so CI dashboards show the
/// dashboard. Not completed is a failure, could not check an error, not
/// applicable a skip.
package enum JUnitReport {
    package static func render(_ report: EvaluationReport) -> String {
        let rows = report.requirements
        let failures = rows.filter { $0.status == .notCompleted }.count
        let errors = rows.filter { $0.status == .error }.count
        let skipped = rows.filter { $0.status == .notApplicable }.count
        let suite = "secscore " + (report.partner.displayName.isEmpty ? report.partner.tenantID : report.partner.displayName)
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"secscore\" tests=\"\(rows.count)\" failures=\"\(failures)\" errors=\"\(errors)\" skipped=\"\(skipped)\">\n"
        out += "  <testsuite name=\"\(XML.escape(suite))\" tests=\"\(rows.count)\" failures=\"\(failures)\" errors=\"\(errors)\" skipped=\"\(skipped)\" timestamp=\"\(report.asOf)T00:00:00\">\n"
        out += "    <properties>\n"
        for (k, v) in [("score", Scoring.format(report.score)), ("earnedPoints", "\(report.earnedPoints)"), ("maxPoints", "\(report.maxPoints)"),
                       ("edition", report.edition.id), ("partnerType", report.partnerType.rawValue),
                       ("eligible", !report.eligibility.applies ? "n/a" : report.eligibility.decided ? "\(report.eligibility.eligible)" : "undecided")] {
            out += "      <property name=\"\(k)\" value=\"\(XML.escape(v))\"/>\n"
        }
        out += "    </properties>\n"
        for r in rows {
            let type = r.requirement.type?.rawValue ?? "requirement"
            out += "    <testcase classname=\"secscore.\(type)\" name=\"\(XML.escape(r.requirement.id)): \(XML.escape(r.requirement.title))\" time=\"0\">\n"
            let details = XML.escape(r.insights.joined(separator: "\n"))
            switch r.status {
            case .completed: break
            case .notCompleted:
                out += "      <failure message=\"not completed: 0 of \(r.maxPoints) points\" type=\"notCompleted\">\(details)</failure>\n"
            case .error:
                out += "      <error message=\"\(XML.escape(r.reason ?? "could not check"))\" type=\"couldNotCheck\">\(details)</error>\n"
            case .notApplicable:
                out += "      <skipped message=\"not applicable to \(report.partnerType.rawValue)\"/>\n"
            }
            if !r.insights.isEmpty, r.status == .completed {
                out += "      <system-out>\(details)</system-out>\n"
            }
            out += "    </testcase>\n"
        }
        out += "  </testsuite>\n</testsuites>\n"
        return out
    }
}

/// XML and HTML escaping that also removes what XML 1.0 forbids.
enum XML {
    static func escape(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\n", "\t": out.unicodeScalars.append(scalar)
            default:
                let v = scalar.value
                if v < 0x20 || (0x7F...0x9F).contains(v) || v == 0xFFFE || v == 0xFFFF {
                    out += "\u{FFFD}"
                } else if (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v) {
                    out += "\\u{\(String(v, radix: 16, uppercase: true))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
