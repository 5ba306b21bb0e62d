import SecScoreCheckers
import SecScoreSynth
import SecScoreWire
import Testing

/// A metamorphic property over generated tenants: narrowing a policy (a
/// condition, an exclusion, an OR alternative, anything unmodeled) never
/// moves an admin towards covered, and removing the narrowing never moves
/// them away from it. Checked on the requirement's status, ordered
/// not completed < could not check < completed, for 600 seeded tenants.
@Suite("Admin MFA: narrowing a policy never earns a point")
struct AdminMFAMetamorphicTests {
    typealias Policy = Secscore_Tenant_V1_ConditionalAccessPolicy
    static let ga = AdminMFACheckerTests.ga

    static func rank(_ s: Secscore_Plugin_V1_FindingStatus) -> Int {
        switch s {
        case .compliant: 2
        case .couldNotCheck: 1
        default: 0
        }
    }

    /// One admin, in a random place: member or guest, in nested groups or
    /// not, role active or eligible; one to three random policies.
    static func tenant(_ rng: inout SplitMix) -> (CheckInput, [Policy]) {
        let base = AdminMFACheckerTests()
        var input = base.tenant(eligibleOnly: rng.below(4) == 0)
        input.facets.users.items[0].userType = ["Member", "Guest", ""][rng.below(3)]
        if rng.below(2) == 0 { input.facets.users.items[0].userPrincipalName = "alice_x.example#EXT#@contoso.com" }
        var inner = Secscore_Tenant_V1_Group()
        inner.id = "inner"
        inner.displayName = "Inner"
        inner.memberIds = rng.below(2) == 0 ? ["alice"] : []
        var outer = Secscore_Tenant_V1_Group()
        outer.id = "outer"
        outer.displayName = "Outer"
        outer.memberGroupIds = ["inner"]
        input.facets.groups.items = [outer, inner]
        var policies: [Policy] = []
        for i in 0..<(1 + rng.below(3)) {
            var p = base.mfaForAll()
            p.id = "p\(i)"
            p.displayName = "Policy \(i)"
            switch rng.below(4) {
            case 0: p.includeUsers = []; p.includeGroups = ["outer"]
            case 1: p.includeUsers = []; p.includeRoles = [ga]
            default: break
            }
            if rng.below(3) == 0 { p.grantOperator = "AND"; p.builtInControls = ["mfa", "compliantDevice"] }
            if rng.below(3) == 0 {
                p.builtInControls = []
                p.authenticationStrength.allowedCombinations = [["fido2"], ["password,sms", "windowsHelloForBusiness"], ["password"]][rng.below(3)]
            }
            policies.append(p)
        }
        return (input, policies)
    }

    /// Every kind of narrowing the rule knows.
    static let narrowings: [(String, @Sendable (inout Policy) -> Void)] = [
        ("exclude the user", { $0.excludeUsers.append("alice") }),
        ("exclude the outer group", { $0.excludeGroups.append("outer") }),
        ("exclude the role", { $0.excludeRoles.append(ga) }),
        ("exclude guests (legacy)", { $0.excludeUsers.append("GuestsOrExternalUsers") }),
        ("exclude every guest type", {
            var g = Secscore_Tenant_V1_GuestsOrExternalUsers()
            g.guestOrExternalUserTypes = ["internalGuest", "b2bCollaborationGuest", "b2bCollaborationMember"]
            g.externalTenantsMembershipKind = "all"
            $0.excludeGuestsOrExternalUsers = g
        }),
        ("terms of use", { $0.termsOfUse.append("tou") }),
        ("OR compliant device", { if $0.grantOperator != "AND" { $0.builtInControls.append("compliantDevice") } }),
        ("OR custom control", { if $0.grantOperator != "AND" { $0.customAuthenticationFactors.append("Duo") } }),
        ("user risk", { $0.userRiskLevels = ["high"] }),
        ("sign-in risk", { $0.signInRiskLevels = ["medium"] }),
        ("insider risk", { $0.insiderRiskLevels = ["elevated"] }),
        ("some locations", { $0.includeLocations = ["loc-1"] }),
        ("exclude trusted locations", { $0.excludeLocations = ["AllTrusted"] }),
        ("some platforms", { $0.includePlatforms = ["android"] }),
        ("browser only", { $0.clientAppTypes = ["browser"] }),
        ("exclude an app", { $0.excludeApplications.append("app-1") }),
        ("some apps", { $0.includeApplications = ["Office365"] }),
        ("device filter", { $0.hasDeviceFilter_p = true }),
        ("report-only", { $0.state = .reportOnly }),
        ("disabled", { $0.state = .disabled }),
        ("authentication flows", {
            var u = Secscore_Tenant_V1_PolicyProperty()
            u.path = "conditions.authenticationFlows"
            u.value = "{}"
            $0.unmodeledProperties.append(u)
        }),
        ("an unknown property", {
            var u = Secscore_Tenant_V1_PolicyProperty()
            u.path = "conditions.newThing"
            u.value = "true"
            u.unknown = true
            $0.unmodeledProperties.append(u)
        }),
        ("weak strength under OR", {
            if $0.grantOperator != "AND" {
                $0.authenticationStrength.allowedCombinations = ["password"]
            }
        }),
    ]

    @Test func narrowingNeverCoversAndWideningNeverUncovers() {
        var rng = SplitMix(9)
        var checked = 0
        var moved = 0
        for _ in 0..<600 {
            let (input, policies) = Self.tenant(&rng)
            let which = rng.below(policies.count)
            let (label, narrow) = Self.narrowings[rng.below(Self.narrowings.count)]
            var narrowed = policies
            narrow(&narrowed[which])
            var wide = input
            wide.facets.conditionalAccessPolicies.items = policies
            var tight = input
            tight.facets.conditionalAccessPolicies.items = narrowed
            let before = Self.rank(AdminMFAChecker.evaluate(wide).status)
            let after = Self.rank(AdminMFAChecker.evaluate(tight).status)
            // Narrowing never moves up; removing it (tight → wide) never moves down.
            #expect(after <= before, "\(label) on policy \(which) of \(policies.count) raised the status from \(before) to \(after)")
            checked += 1
            if after < before { moved += 1 }
        }
        #expect(checked == 600)
        // The generator must reach the interesting cases, not only no-ops.
        #expect(moved > 100, "only \(moved) of 600 narrowings changed the verdict")
    }
}
