import SecScoreTestSupport
import Testing

/// `secscore plugins` marks checks the catalog does not have: secscore never
/// asks them, which used to pass without a word.
@Suite("secscore plugins and the catalog")
struct PluginsCommandTests {
    func secscore(_ arguments: [String]) async throws -> CommandOutput {
        try await runAndCapture(product("secscore"), arguments, environment: ["PATH": "/usr/bin:/bin", "COLUMNS": "100"])
    }

    /// A folder holding the C example plugin under a plugin's file name.
    func exampleFolder() -> ScratchDirectory {
        let dir = ScratchDirectory()
        _ = dir.script("secscore-plugin-contact-domain", "#!/bin/sh\nexec '\(product("example-plugin-c"))' \"$@\"\n")
        return dir
    }

    @Test func aRequirementTheCatalogLacksIsMarkedAndWarned() async throws {
        let dir = exampleFolder()
        let out = try await secscore(["plugins", "--plugin-dir", dir.path])
        #expect(out.status == 0, "\(out.stdout)\(out.stderr)")
        #expect(out.stdout.contains("  answers example.contactDomain: Security contact on the partner's own domain  [not in the catalog: never asked]"))
        #expect(out.stdout.contains("warning: plugin example-contact-domain declares requirement example.contactDomain, which no edition of the catalog has; secscore never asks it"))
        // The shipped plugins' requirements are in the catalog: not marked.
        let shipped = out.stdout.split(separator: "\n").filter { $0.contains("answers securityContactProvided") }
        #expect(shipped.count == 1)
        #expect(shipped.allSatisfy { !$0.contains("not in the catalog") })
    }

    @Test func theComparisonUsesTheCatalogGiven() async throws {
        let dir = ScratchDirectory()
        let catalog = dir.write("catalog.json", """
            {"schemaVersion": 1, "editions": [{"id": "only-contact", "title": "t", "effectiveDate": "2025-01-01",
              "requirementTypes": false, "requirements": [{"id": "securityContactProvided", "title": "Contact",
              "description": "d", "maxPoints": 10, "applicablePartnerTypes": ["directBill"], "effectiveDate": "2025-01-01",
              "state": "active", "instructionsUrl": "https://example.com/i", "actionUrl": "https://example.com/a"}]}]}
            """)
        let out = try await secscore(["plugins", "--catalog", catalog])
        #expect(out.status == 0, "\(out.stdout)\(out.stderr)")
        #expect(out.stdout.contains("answers mfaEnforcedForAdmins: "))
        #expect(out.stdout.contains("declares requirement mfaEnforcedForAdmins, which no edition of the catalog has"))
        #expect(!out.stdout.contains("declares requirement securityContactProvided,"))
    }

    @Test func aBrokenCatalogFileExitsTwo() async throws {
        let dir = ScratchDirectory()
        let catalog = dir.write("catalog.json", "{\"schemaVersion\": 2}")
        let out = try await secscore(["plugins", "--catalog", catalog])
        #expect(out.status == 2)
        #expect(out.stderr.contains("schemaVersion"))
    }
}
