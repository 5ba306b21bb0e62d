import Foundation
import SecScoreModel
import SecScoreReports
import SecScoreWire
import TenantSnapshot
import Testing

/// Hostile plugin text must reach no report raw.
@Suite("Reports escape plugin text")
struct ReportEscapingTests {
    static let hostile = [
        "<script>alert(1)</script>",
        "\u{1B}]0;pwned\u{7}\u{1B}[31mred",
        "bidi \u{202E}evil",
        "<img src=x onerror=alert(1)>",
        "](javascript:alert(1)) | pipe ` tick",
    ]

    func report() throws -> EvaluationReport {
        let catalog = try CatalogLoader.builtIn()
        let edition = try #require(catalog.edition(named: "2025-10"))
        var evidence = Secscore_Plugin_V1_Evidence()
        var item = Secscore_Plugin_V1_EvidenceItem()
        item.kind = "admin"
        item.name = Self.hostile[0]
        item.reasons = [Self.hostile[3]]
        evidence.items = [item]
        let results = edition.requirements.map { r in
            RequirementResult(requirement: r, status: .notCompleted, insights: Self.hostile, evidence: evidence, plugin: "evil")
        }
        var partner = PartnerProfile(partnerType: .directBill)
        partner.displayName = "<b>Partner</b>"
        return EvaluationReport(
            edition: edition, asOf: CivilDate("2025-11-15")!, partner: partner, partnerType: .directBill,
            requirements: results, futureRequirements: [])
    }

    @Test func html() throws {
        let html = HTMLReport.render(try report())
        #expect(!html.contains("<script"))
        #expect(!html.contains("<img"))
        #expect(!html.contains("<b>Partner"))
        #expect(!html.contains("\u{1B}"))
        #expect(!html.contains("\u{202E}"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        // Self-contained: no external fetches.
        #expect(!html.contains("src=\"http"))
        #expect(!html.contains("<link"))
        #expect(html.contains("Content-Security-Policy"))
        // Structure: one row per requirement, every column.
        #expect(html.components(separatedBy: "<tr id=").count - 1 == 5)
        for column in ["Requirement type", "Security requirement", "Description", "Status", "Insights", "Score", "Instructions", "Action"] {
            #expect(html.contains("<th>\(column)</th>"))
        }
        #expect(html.contains("<details><summary>1 admin</summary>"))
    }

    @Test func markdownJUnitTableAndJSON() throws {
        let r = try report()
        let markdown = MarkdownReport.render(r)
        #expect(!markdown.contains("<script"))
        // "]" is escaped, so no link can be formed from plugin text.
        #expect(!markdown.replacingOccurrences(of: "\\]", with: "").contains("](javascript"))
        #expect(markdown.contains("\\](javascript:alert(1)) \\| pipe \\` tick"))
        #expect(!markdown.contains("\u{1B}"))
        let junit = JUnitReport.render(r)
        #expect(!junit.contains("<script"))
        #expect(!junit.contains("\u{1B}"))
        #expect(!junit.contains("\u{7}"))
        let table = TerminalDashboard(width: 100, color: false).render(r)
        #expect(!table.contains("\u{1B}"))
        #expect(!table.contains("\u{202E}"))
        let json = JSONReport.render(r)
        #expect(!json.contains("\u{1B}"))
        #expect(json.contains("\\u001b]0;pwned"))
    }
}
