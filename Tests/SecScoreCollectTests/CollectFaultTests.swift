import FakeMicrosoft
import Foundation
import SecScoreCollect
import SecScoreWire
import TenantSnapshot
import Testing

/// One test per fault class: what collection.json says, and what the
/// report says about the requirement the call feeds.
@Suite("Collect under faults", .serialized)
struct CollectFaultTests {
    @Test("403 on roleEligibilitySchedules: file left out, admin MFA could not check naming the permission")
    func forbidden() async throws {
        let source = try synthTenant()
        let output = temporaryFolder("out") + "/snapshot"
        try await withFake(source) { fake, base in
            fake.inject("roleEligibilitySchedules", .status(403, code: "Authorization_RequestDenied"), times: 100)
            let summary = try await collect(base: base, output: output, settings: settings(matching: source))
            let want = "403 on roleEligibilitySchedules: grant RoleEligibilitySchedule.Read.Directory"
            #expect(summary.leftOut.contains { $0.file == "roleEligibilitySchedules.json" && $0.reason.hasPrefix(want) })
        }
        #expect(!FileManager.default.fileExists(atPath: output + "/roleEligibilitySchedules.json"))
        let m = manifest(output)
        #expect(call(m, "roleEligibilitySchedules")["status"] as? Int == 403)
        #expect((m["skipped"] as? [[String: Any]] ?? []).contains { $0["why"] as? String == "permission" })
        let report = try await evaluate(output)
        let adminMFA = try #require(report["mfaEnforcedForAdmins"])
        #expect(adminMFA.status == "error")
        #expect(adminMFA.reason.contains("403 on roleEligibilitySchedules: grant RoleEligibilitySchedule.Read.Directory"), "\(adminMFA.reason)")
    }

    @Test("400 for a missing Entra ID P2 licence: PIM written empty and labelled, admin MFA still evaluated")
    func noLicence() async throws {
        let source = try synthTenant()
        let output = temporaryFolder("out") + "/snapshot"
        try await withFake(source) { fake, base in
            fake.inject("roleEligibilitySchedules", .status(400, code: "AadPremiumLicenseRequired"), times: 100)
            let summary = try await collect(base: base, output: output, settings: settings(matching: source))
            #expect(!summary.leftOut.contains { $0.file == "roleEligibilitySchedules.json" })
        }
        let files = manifest(output)["files"] as? [String: [String: Any]] ?? [:]
        #expect((files["roleEligibilitySchedules.json"]?["source"] as? String)?.contains("no Microsoft Entra ID P2") == true)
        #expect((manifest(output)["skipped"] as? [[String: Any]] ?? []).contains { $0["why"] as? String == "licence" })
        #expect(try await evaluate(output)["mfaEnforcedForAdmins"]?.status != "error")
    }

    @Test("429 with Retry-After: waited, retried, every page kept")
    func throttledWithRetryAfter() async throws {
        let source = try synthTenant()
        let output = temporaryFolder("out") + "/snapshot"
        try await withFake(source) { fake, base in
            fake.inject("users", .throttled(retryAfter: 1), times: 2)
            let summary = try await collect(base: base, output: output, settings: settings(matching: source))
            #expect(!summary.leftOut.contains { $0.file == "users.json" })
        }
        #expect(call(manifest(output), "users")["retries"] as? Int == 2)
        #expect(try SnapshotLoader.load(directory: output).facets.users.items.count == 40)
    }

    @Test("429 without Retry-After (Conditional Access) and 503: jittered backoff, then success")
    func throttledWithoutRetryAfter() async throws {
        let source = try synthTenant()
        let output = temporaryFolder("out") + "/snapshot"
        try await withFake(source) { fake, base in
            fake.inject("conditionalAccessPolicies", .throttled(retryAfter: nil), times: 1)
            fake.inject("securityAlerts", .unavailable, times: 2)
            let summary = try await collect(base: base, output: output, settings: settings(matching: source))
            #expect(summary.leftOut.isEmpty, "\(summary.leftOut)")
        }
        let m = manifest(output)
        #expect(call(m, "conditionalAccessPolicies")["retries"] as? Int == 1)
        #expect(call(m, "securityAlerts")["retries"] as? Int == 2)
    }

    @Test("Still throttled when the retry budget ends: left out as throttling, alerts could not check")
    func throttlingBudgetExhausted() async throws {
        let source = try synthTenant()
        let output = temporaryFolder("out") + "/snapshot"
        try await withFake(source) { fake, base in
            fake.inject("securityAlerts", .throttled(retryAfter: 3), times: 10)
            let summary = try await collect(base: base, output: output, settings: settings(matching: source),
                                            retry: RetryPolicy(maxAttempts: 6, maxTotal: 4, baseDelay: 0.2, maxDelay: 1))
            #expect(summary.leftOut.contains { $0.file == "securityAlerts.json" && $0.reason.hasPrefix("throttled on securityAlerts") })
        }
        #expect((manifest(output)["skipped"] as? [[String: Any]] ?? []).contains { $0["why"] as? String == "throttling" })
        let report = try await evaluate(output)
        #expect(report["securityAlertsPromptlyResolved"]?.status == "error")
        #expect(report["securityAlertsPromptlyResolved"]?.reason.contains("throttled on securityAlerts") == true)
    }

    @Test("A 500 that persists: the file is left out with the status, never a silent pass")
    func serverError() async throws {
        let source = try synthTenant()
        let output = temporaryFolder("out") + "/snapshot"
        try await withFake(source) { fake, base in
            fake.inject("usagebudget", .status(500, code: "InternalServerError"), times: 1)
            let summary = try await collect(base: base, output: output, settings: settings(matching: source))
            #expect(summary.leftOut.contains { $0.file == "spendingBudgets.json" && $0.reason.hasPrefix("500 on usagebudget") })
        }
        let report = try await evaluate(output)
        #expect(report["spendingBudgetSetForCustomerAzureSubscriptions"]?.status == "error")
    }

    @Test("A slow answer is waited for")
    func slow() async throws {
        let source = try synthTenant()
        let output = temporaryFolder("out") + "/snapshot"
        try await withFake(source) { fake, base in
            fake.inject("roleDefinitions", .slow(seconds: 1.5), times: 1)
            let summary = try await collect(base: base, output: output, settings: settings(matching: source))
            #expect(summary.leftOut.isEmpty)
        }
    }

    @Test("Items throttled inside a $batch are retried on their own")
    func batchItems() async throws {
        let source = try synthTenant()
        let output = temporaryFolder("out") + "/snapshot"
        try await withFake(source) { fake, base in
            fake.inject("perUserMfaBatchItem", .throttled(retryAfter: 1), times: 3)
            _ = try await collect(base: base, output: output, settings: settings(matching: source))
            #expect(fake.stats.requests["perUserMfa"] == 3, "three single retries")
        }
        let perUser = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: output + "/perUserMfa.json"))) as? [String: Any]
        #expect((perUser?["value"] as? [Any])?.count == 6, "every admin's state")
        #expect(call(manifest(output), "perUserMfa")["retries"] as? Int == 3)
    }

    @Test("A refused sign-in writes nothing: no snapshot, no temporary folder")
    func signInRefused() async throws {
        let source = try synthTenant()
        let parent = temporaryFolder("out")
        let output = parent + "/snapshot"
        try await withFake(source) { fake, base in
            fake.inject("token", .status(401, code: "invalid_client"), times: 10)
            await #expect(throws: CollectError.self) {
                try await collect(base: base, output: output, settings: settings(matching: source))
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent).isEmpty)
    }

    @Test("No config: partner.json holds only the tenant, and the notice says what is missing")
    func noConfig() async throws {
        let source = try synthTenant()
        let output = temporaryFolder("out") + "/snapshot"
        try await withFake(source) { _, base in
            let summary = try await collect(base: base, output: output, settings: PartnerSettings())
            #expect(summary.leftOut.contains { $0.file == "securityContact.json" && $0.reason.contains("Microsoft's own verdict") && $0.reason.contains("compliant") })
        }
        let partner = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: output + "/partner.json"))) as? [String: Any]
        #expect(partner?.keys.sorted() == ["tenantId"])
    }
}
