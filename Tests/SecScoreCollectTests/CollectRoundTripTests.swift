import FakeMicrosoft
import Foundation
import SecScoreCollect
import SecScoreTestSupport
import SecScoreWire
import TenantSnapshot
import Testing

@Suite("Collect round trip: fake Graph and Partner Center to a snapshot the evaluator reads", .serialized)
struct CollectRoundTripTests {
    @Test("Every file comes back with every page, and loads into the same facets")
    func roundTrip() async throws {
        let source = try synthTenant()
        let output = temporaryFolder("out") + "/snapshot"
        var small = FakeMicrosoft.Options()
        small.pageSize = 7
        let summary = try await withFake(source, options: small) { fake, base in
            let s = try await collect(base: base, output: output, settings: settings(matching: source))
            #expect(fake.stats.limitViolations.isEmpty, "collect stayed inside the published limits")
            // 40 users at 7 a page: 6 pages.
            #expect(fake.stats.requests["users"] == 6)
            return s
        }
        #expect(summary.leftOut.isEmpty, "\(summary.leftOut)")
        let expected = ["collection.json", "conditionalAccessPolicies.json", "customerMfa.json", "groupEligibilitySchedules.json", "groups.json", "microsoftScore.json",
                        "partner.json", "perUserMfa.json", "roleAssignments.json", "roleDefinitions.json", "roleEligibilitySchedules.json",
                        "securityAlerts.json", "securityContact.json", "securityDefaults.json", "spendingBudgets.json",
                        "userRegistrationDetails.json", "users.json"]
        #expect(try FileManager.default.contentsOfDirectory(atPath: output).sorted() == expected)
        let a = try SnapshotLoader.load(directory: source)
        let b = try SnapshotLoader.load(directory: output)
        #expect(b.unreadFiles.isEmpty)
        #expect(a.facets.users.items.map(\.id) == b.facets.users.items.map(\.id))
        #expect(a.facets.registrationDetails == b.facets.registrationDetails)
        #expect(a.facets.conditionalAccessPolicies == b.facets.conditionalAccessPolicies)
        #expect(a.facets.securityAlerts == b.facets.securityAlerts)
        #expect(a.facets.roleDefinitions == b.facets.roleDefinitions)
        #expect(a.facets.roleAssignments.items.map(\.principalID) == b.facets.roleAssignments.items.map(\.principalID))
        #expect(a.facets.roleEligibilities.items.map(\.principalID) == b.facets.roleEligibilities.items.map(\.principalID))
        #expect(a.facets.securityDefaults == b.facets.securityDefaults)
        #expect(a.facets.groups.items.map { Set($0.memberIds) } == b.facets.groups.items.map { Set($0.memberIds) })
        #expect(a.facets.spendingBudgets.items.map(\.budget.amount) == b.facets.spendingBudgets.items.map(\.budget.amount))
        #expect(a.facets.spendingBudgets.items.map { Set($0.subscriptionIds) } == b.facets.spendingBudgets.items.map { Set($0.subscriptionIds) })
        #expect(a.facets.customerMfa.items.map(\.mfaEnabledAdminsCount) == b.facets.customerMfa.items.map(\.mfaEnabledAdminsCount))
        #expect(a.facets.partner == b.facets.partner || a.facets.partner.partnerType == b.facets.partner.partnerType)
        #expect(a.facets.securityContact == b.facets.securityContact)
        let m = manifest(output)
        #expect(call(m, "users")["pages"] as? Int == 6)
        #expect(call(m, "users")["items"] as? Int == 40)
        #expect((m["microsoftSecurityScore"] as? [String: Any])?["currentScore"] as? String == "60")
    }

    @Test("collect then evaluate through the real CLI and plugins gives the source snapshot's report")
    func evaluatesLikeTheSource() async throws {
        let source = try synthTenant()
        let output = temporaryFolder("out") + "/snapshot"
        let config = temporaryFolder("cfg") + "/config.json"
        let s = settings(matching: source)
        let configJSON = JSONText.object([
            ("displayName", .string(s.displayName ?? "")), ("partnerType", .string(s.partnerType!)),
            ("commerceExperience", .string(s.commerceExperience!)), ("onboardedDate", .string(s.onboardedDate!)),
            ("securityContact", .object([("name", .string(s.securityContact!.name)), ("email", .string(s.securityContact!.email)),
                                         ("phone", .string(s.securityContact!.phone))])),
        ])
        try Data(configJSON.utf8).write(to: URL(fileURLWithPath: config))
        let options = FakeMicrosoft.Options()
        try await withFake(source) { _, base in
            var env = ProcessInfo.processInfo.environment
            env["AZURE_CLIENT_SECRET"] = options.clientSecret!
            let out = try await runAndCaptureCLI([
                "collect", output, "--tenant", options.tenantID, "--client-id", options.clientID, "--graph-endpoint", base,
                "--partner-center-endpoint", base, "--authority", base, "--config", config,
            ], environment: env)
            #expect(out.status == 0, "\(out.stdout)\n\(out.stderr)")
            #expect(out.stderr.isEmpty, "quiet when piped: \(out.stderr)")
        }
        let expected = try await evaluate(source)
        let actual = try await evaluate(output)
        #expect(Set(expected.keys) == Set(actual.keys))
        for (id, want) in expected {
            if id == "mfaEnforcedForAdminsOfCustomers" {
                // Graph's customerInsights has no admin total: customers whose
                // admins all look compliant are unknown, never passed.
                #expect(actual[id]!.status != "completed" || want.status == "completed")
                continue
            }
            #expect(actual[id]?.status == want.status, "\(id): \(actual[id]?.reason ?? "")")
        }
        // Microsoft's own score comes along for the reports' reconciliation.
        let score = try MicrosoftScoreReader.read(Array(try Data(contentsOf: URL(fileURLWithPath: output + "/microsoftScore.json"))), file: "microsoftScore.json")
        #expect(score.currentScore == 60 && score.maxScore == 100)
        #expect(score.requirements.map(\.requirementType) == ["securityContactProvided"])
        #expect(score.history.map(\.score) == [55])
    }
}

@Suite("Collect from Microsoft-shaped responses")
struct CollectShapeTests {
    /// Tests/Fixtures/graph-shapes copy the quirks of Microsoft's published
    /// example responses (irregular whitespace, nulls, strings for numbers);
    /// collect copies items verbatim, so they must load exactly as the
    /// fixtures themselves do.
    @Test("The graph-shapes fixtures survive the fake and collect unchanged")
    func shapes() async throws {
        let shapes = fixture("Tests/Fixtures/graph-shapes")
        let source = temporaryFolder("shapes")
        for (from, to) in [
            ("conditionalAccessPolicies.json", "conditionalAccessPolicies.json"), ("userRegistrationDetails.json", "userRegistrationDetails.json"),
            ("roleAssignments.json", "roleAssignments.json"), ("roleDefinitions.json", "roleDefinitions.json"),
            ("securityDefaults.json", "securityDefaults.json"), ("users.json", "users.json"),
            ("securityAlerts-docsContrib-10f547a.json", "securityAlerts.json"), ("partnerCustomerInsights.json", "customerMfa.json"),
            ("roleEligibilitySchedules.json", "roleEligibilitySchedules.json"),
        ] {
            try FileManager.default.copyItem(atPath: shapes + "/" + from, toPath: source + "/" + to)
        }
        let output = temporaryFolder("out") + "/snapshot"
        var options = FakeMicrosoft.Options()
        options.pageSize = 1
        try await withFake(source, options: options) { _, base in
            _ = try await collect(base: base, output: output, settings: PartnerSettings())
        }
        let a = try SnapshotLoader.load(directory: source)
        let b = try SnapshotLoader.load(directory: output)
        #expect(a.facets.conditionalAccessPolicies == b.facets.conditionalAccessPolicies)
        #expect(a.facets.registrationDetails == b.facets.registrationDetails)
        #expect(a.facets.securityAlerts == b.facets.securityAlerts)
        #expect(a.facets.roleDefinitions == b.facets.roleDefinitions)
        #expect(a.facets.roleAssignments == b.facets.roleAssignments)
        #expect(a.facets.roleEligibilities.items.map(\.endUnixMs) == b.facets.roleEligibilities.items.map(\.endUnixMs))
        #expect(a.facets.customerMfa == b.facets.customerMfa)
        #expect(a.facets.users.items.map(\.id) == b.facets.users.items.map(\.id))
        #expect(a.facets.securityDefaults == b.facets.securityDefaults)
    }
}
