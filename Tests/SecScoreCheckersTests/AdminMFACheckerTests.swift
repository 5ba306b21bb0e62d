import SecScoreCheckers
import SecScoreWire
import Testing

/// The admin MFA rules, in process, one edge case each.
@Suite("Admin MFA rules")
struct AdminMFACheckerTests {
    static let ga = "62e90394-69f5-4237-9190-012177145e10"
    static let sec = "194ae4cb-b126-40b2-bd5b-6091b380977d"
    static let now: Int64 = 1_763_164_800_000  // 2025-11-15

    /// One admin "alice" (Global Administrator, active), registered.
    func tenant(
        policies: [Secscore_Tenant_V1_ConditionalAccessPolicy] = [], securityDefaults: Bool = false,
        perUser: Secscore_Tenant_V1_PerUserMfaState = .disabled, registered: Bool = true, eligibleOnly: Bool = false,
        groups: [Secscore_Tenant_V1_Group] = []
    ) -> CheckInput {
        var f = Secscore_Tenant_V1_Facets()
        var a = Secscore_Tenant_V1_RoleAssignment()
        a.id = "a1"
        a.principalID = "alice"
        a.principalType = "user"
        a.roleDefinitionID = Self.ga
        a.directoryScopeID = "/"
        if eligibleOnly { f.roleEligibilities.items = [a]; f.roleAssignments.items = [] } else { f.roleAssignments.items = [a] }
        var u = Secscore_Tenant_V1_User()
        u.id = "alice"
        u.userPrincipalName = "alice@contoso.com"
        u.perUserMfaState = perUser
        f.users.items = [u]
        var r = Secscore_Tenant_V1_RegistrationDetail()
        r.id = "alice"
        r.isMfaRegistered = registered
        f.registrationDetails.items = [r]
        f.securityDefaults.isEnabled = securityDefaults
        f.conditionalAccessPolicies.items = policies
        f.groups.items = groups
        var context = Secscore_Plugin_V1_EvaluationContext()
        context.nowUnixMs = Self.now
        return CheckInput(requirementID: AdminMFAChecker.requirementID, context: context, facets: f, parameters: [:])
    }

    func mfaForAll(_ change: (inout Secscore_Tenant_V1_ConditionalAccessPolicy) -> Void = { _ in }) -> Secscore_Tenant_V1_ConditionalAccessPolicy {
        var p = Secscore_Tenant_V1_ConditionalAccessPolicy()
        p.id = "p1"
        p.displayName = "MFA for all"
        p.state = .enabled
        p.includeUsers = ["All"]
        p.includeApplications = ["All"]
        p.builtInControls = ["mfa"]
        p.grantOperator = "OR"
        change(&p)
        return p
    }

    @Test(arguments: Via.allCases) func enabledPolicyCovers(_ via: Via) async throws {
        let f = try await run(via: via, tenant(policies: [mfaForAll()]))
        #expect(f.status == .compliant)
    }

    @Test(arguments: Via.allCases) func reportOnlyPolicyDoesNotCover(_ via: Via) async throws {
        let f = try await run(via: via, tenant(policies: [mfaForAll { $0.state = .reportOnly }]))
        #expect(f.status == .notCompliant)
        #expect(f.insights.contains { $0.contains("policy 'MFA for all' is report-only") })
    }

    @Test(arguments: Via.allCases) func exclusionThroughGroupIsNamed(_ via: Via) async throws {
        var g = Secscore_Tenant_V1_Group()
        g.id = "g1"
        g.displayName = "Break glass"
        g.memberIds = ["alice"]
        let f = try await run(via: via, tenant(policies: [mfaForAll { $0.excludeGroups = ["g1"] }], groups: [g]))
        #expect(f.status == .notCompliant)
        #expect(f.insights.contains { $0.contains("excluded from policy 'MFA for all' through group Break glass") })
    }

    @Test(arguments: Via.allCases) func riskScopedPolicyDoesNotCover(_ via: Via) async throws {
        let f = try await run(via: via, tenant(policies: [mfaForAll { $0.signInRiskLevels = ["high"] }]))
        #expect(f.status == .notCompliant)
        #expect(f.insights.contains { $0.contains("applies only at sign-in risk high") })
        let user = try await run(via: via, tenant(policies: [mfaForAll { $0.userRiskLevels = ["medium"] }]))
        #expect(user.status == .notCompliant)
    }

    @Test(arguments: Via.allCases) func orWithCompliantDeviceCanBeBypassed(_ via: Via) async throws {
        let or = try await run(via: via, tenant(policies: [mfaForAll { $0.builtInControls = ["mfa", "compliantDevice"] }]))
        #expect(or.status == .notCompliant)
        #expect(or.insights.contains { $0.contains("accepts compliantDevice instead of MFA") })
        let and = try await run(via: via, tenant(policies: [mfaForAll { $0.builtInControls = ["mfa", "compliantDevice"]; $0.grantOperator = "AND" }]))
        #expect(and.status == .compliant)
    }

    @Test(arguments: Via.allCases) func authenticationStrengthRequiringMFACovers(_ via: Via) async throws {
        let f = try await run(via: via, tenant(policies: [mfaForAll {
            $0.builtInControls = []
            $0.authenticationStrength.requirementsSatisfied = "mfa"
            $0.authenticationStrength.allowedCombinations = ["windowsHelloForBusiness", "fido2", "password,microsoftAuthenticatorPush"]
        }]))
        #expect(f.status == .compliant)
    }

    @Test(arguments: Via.allCases) func securityDefaultsCover(_ via: Via) async throws {
        #expect(try await run(via: via, tenant(securityDefaults: true)).status == .compliant)
    }

    @Test(arguments: Via.allCases) func perUserMFACovers(_ via: Via) async throws {
        #expect(try await run(via: via, tenant(perUser: .enforced)).status == .compliant)
        #expect(try await run(via: via, tenant(perUser: .enabled)).status == .compliant)
        #expect(try await run(via: via, tenant(perUser: .disabled)).status == .notCompliant)
    }

    @Test(arguments: Via.allCases) func coveredButNotRegisteredFails(_ via: Via) async throws {
        let f = try await run(via: via, tenant(securityDefaults: true, registered: false))
        #expect(f.status == .notCompliant)
        #expect(f.insights.contains { $0.contains("has not registered an MFA method") })
    }

    @Test(arguments: Via.allCases) func pimEligibleAdminIsAnAdmin(_ via: Via) async throws {
        // Eligible admins count; a role-targeted policy does not cover them
        // while the role is not active.
        let byRole = try await run(via: via, tenant(policies: [mfaForAll { $0.includeUsers = []; $0.includeRoles = [Self.ga] }], eligibleOnly: true))
        #expect(byRole.status == .notCompliant)
        #expect(byRole.insights.contains { $0.contains("(eligible)") && $0.contains("only as PIM-eligible") })
        let byAll = try await run(via: via, tenant(policies: [mfaForAll()], eligibleOnly: true))
        #expect(byAll.status == .compliant)
    }

    @Test(arguments: Via.allCases) func expiredEligibilityIsNotAnAdmin(_ via: Via) async throws {
        var input = tenant(eligibleOnly: true)
        input.facets.roleEligibilities.items[0].endUnixMs = Self.now - 1000
        let f = try await run(via: via, input)
        #expect(f.status == .couldNotCheck)  // no admin at all left
    }

    @Test(arguments: Via.allCases) func customControlsDoNotCount(_ via: Via) async throws {
        let f = try await run(via: via, tenant(policies: [mfaForAll { $0.builtInControls = []; $0.customAuthenticationFactors = ["Duo-MFA"] }]))
        #expect(f.status == .notCompliant)
        #expect(f.insights.contains { $0.contains("custom control Duo-MFA") })
    }

    @Test(arguments: Via.allCases) func policyForSomeAppsDoesNotCover(_ via: Via) async throws {
        let f = try await run(via: via, tenant(policies: [mfaForAll { $0.includeApplications = ["Office365"] }]))
        #expect(f.status == .notCompliant)
        #expect(f.insights.contains { $0.contains("targets only some cloud apps") })
    }

    @Test(arguments: Via.allCases) func missingCoverageSourceIsUndecided(_ via: Via) async throws {
        var input = tenant()
        input.facets.clearSecurityDefaults()
        input.facets.clearConditionalAccessPolicies()
        let f = try await run(via: via, input)
        #expect(f.status == .couldNotCheck)
        #expect(f.insights.first?.contains("securityDefaults.json and conditionalAccessPolicies.json are missing") == true)
    }

    @Test(arguments: Via.allCases) func externalMethodsCountOnlyInTheNewEdition(_ via: Via) async throws {
        var input = tenant(securityDefaults: true, registered: false)
        input.facets.registrationDetails.items[0].methodsRegistered = ["externalAuthenticationMethod"]
        input.parameters["externalAuthenticationMethodsCount"] = ["true"]
        #expect(try await run(via: via, input).status == .compliant)
        input.parameters["externalAuthenticationMethodsCount"] = ["false"]
        #expect(try await run(via: via, input).status == .notCompliant)
    }
}
