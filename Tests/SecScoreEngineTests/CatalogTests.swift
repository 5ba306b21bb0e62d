import SecScoreEngine
import SecScoreModel
import SecScoreWire
import TenantSnapshot
import Testing

@Suite("Catalog files")
struct CatalogTests {
    func catalog(_ requirements: String, typed: Bool = true) -> String {
        """
        {"schemaVersion": 1, "editions": [{"id": "test", "title": "Test", "effectiveDate": "2025-01-01",
          "requirementTypes": \(typed), "requirements": [\(requirements)]}]}
        """
    }

    func requirement(_ id: String, points: Int = 10, state: String = "active", effective: String = "2025-01-01", type: String = "mandatory") -> String {
        """
        {"id": "\(id)", "title": "\(id) title", "description": "d", "type": "\(type)", "maxPoints": \(points),
         "applicablePartnerTypes": ["directBill"], "effectiveDate": "\(effective)", "state": "\(state)",
         "instructionsUrl": "https://example.com/i", "actionUrl": "https://example.com/a"}
        """
    }

    @Test func futureAndPreviewRequirementsDoNotCount() async throws {
        let text = catalog([
            requirement("securityContactProvided"),
            requirement("mfaEnforcedForAdmins", state: "preview"),
            requirement("mfaEnforcedForAdminsOfCustomers", effective: "2026-04-01"),
        ].joined(separator: ","))
        let c = try CatalogLoader.parse(Array(text.utf8), file: "test.json")
        let partner = PartnerProfile(partnerType: .directBill, commerce: .newCommerce)
        let snapshot = TenantSnapshot(directory: "t", partner: partner, facets: .init(), presentFacets: [])
        let runner = FakeRunner(answers: [
            "securityContactProvided": .compliant, "mfaEnforcedForAdmins": .notCompliant,
            "mfaEnforcedForAdminsOfCustomers": .compliant,
        ])
        let report = try await Evaluator.evaluate(
            snapshot: snapshot, catalog: c, options: EvaluationOptions(asOf: CivilDate("2025-11-15")!), runner: runner)
        #expect(report.requirements.map(\.requirement.id) == ["securityContactProvided"])
        #expect(report.futureRequirements.map(\.requirement.id) == ["mfaEnforcedForAdmins", "mfaEnforcedForAdminsOfCustomers"])
        #expect(report.futureRequirements.map(\.status) == [.notCompleted, .completed])
        #expect(report.score == 100)
    }

    @Test func invalidCatalogsAreRejectedWithThePath() {
        func error(_ text: String) -> String {
            do {
                _ = try CatalogLoader.parse(Array(text.utf8), file: "c.json")
                return "accepted"
            } catch {
                return error.description
            }
        }
        #expect(error(catalog(requirement("x", points: 25))) == "c.json: $.editions[0].requirements[0].maxPoints: expected 0 to 20 (the dashboard's range), found 25")
        #expect(error(catalog(requirement("x", type: "optional"))).contains("expected \"mandatory\" or \"recommended\""))
        #expect(error(catalog(requirement("x") + "," + requirement("x"))).contains("duplicate requirement \"x\""))
        #expect(error(catalog(requirement("x", effective: "2025-02-30"))).contains("expected a date YYYY-MM-DD"))
        #expect(error(catalog(requirement("x"), typed: false)).contains("has no requirement types"))
    }

    @Test func builtInCatalogHasBothEditions() throws {
        let c = try CatalogLoader.builtIn()
        #expect(c.editions.map(\.id).sorted() == ["2024", "2025-10"])
        #expect(c.edition(inForceOn: CivilDate("2025-10-01")!).id == "2025-10")
        #expect(c.edition(inForceOn: CivilDate("2025-09-30")!).id == "2024")
        #expect(c.edition(inForceOn: CivilDate("2020-01-01")!).id == "2024")
    }
}
