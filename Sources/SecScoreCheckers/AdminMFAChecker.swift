public import SecScoreWire

/// `mfaEnforcedForAdmins`: every admin of the partner tenant is covered by
/// an MFA requirement and has registered MFA. Rules and the choices behind
/// them: docs/REQUIREMENTS.md.
public enum AdminMFAChecker {
    public static let requirementID = "mfaEnforcedForAdmins"
    public static let requiredFacets: [Secscore_Tenant_V1_Facet] = [.roleAssignments, .registrationDetails]
    /// Only role holders' users, registrations and group memberships: the
    /// rule judges admins alone, so it never needs anyone else's record.
    public static let principalScope = Secscore_Plugin_V1_PrincipalScope.roleHolders
    public static let optionalFacets: [Secscore_Tenant_V1_Facet] = [
        .roleDefinitions, .roleEligibilities, .users, .groups, .securityDefaults, .conditionalAccessPolicies,
    ]

    /// The nine roles the Partner Center page lists, by template id.
    public static let defaultAdminRoles: [String: String] = [
        "62e90394-69f5-4237-9190-012177145e10": "Global Administrator",
        "c4e39bd9-1100-46d3-8c65-fb160da0071f": "Authentication Administrator",
        "b0f54661-2d74-4c50-afa3-1ec803f12efe": "Billing Administrator",
        "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9": "Conditional Access Administrator",
        "29232cdf-9323-42fd-ade2-1d097af3e4de": "Exchange Administrator",
        "729827e3-9c14-49f7-bb1b-9608f156bbb8": "Helpdesk Administrator",
        "194ae4cb-b126-40b2-bd5b-6091b380977d": "Security Administrator",
        "f28a1f50-f6e7-4571-818b-6a12f2af6b6c": "SharePoint Administrator",
        "fe930be7-5e62-47db-91af-98c3a49a38b1": "User Administrator",
    ]

    struct Admin {
        var id: String
        var name: String
        /// Template ids of roles held actively, and of roles only eligible.
        var activeRoles: Set<String> = []
        var eligibleRoles: Set<String> = []
        /// Groups that gave the role, by name (role-assignable groups).
        var viaGroups: [String] = []
    }

    public static func evaluate(_ input: CheckInput) -> Secscore_Plugin_V1_Finding {
        var out = FindingBuilder(requirementID)
        let f = input.facets
        let now = input.context.nowUnixMs
        let externalMethodsCount = input.parameters["externalAuthenticationMethodsCount"]?.first == "true"

        var roleNames = defaultAdminRoles
        let adminRoles = Set(input.parameters["adminRoleTemplateIds"] ?? Array(defaultAdminRoles.keys))
        var templateOf: [String: String] = [:]
        for d in f.roleDefinitions.items {
            templateOf[d.id] = d.templateID
            if roleNames[d.templateID] == nil, !d.displayName.isEmpty { roleNames[d.templateID] = d.displayName }
        }
        func template(_ roleDefinitionID: String) -> String { templateOf[roleDefinitionID] ?? roleDefinitionID }

        let users = Dictionary(f.users.items.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let groups = Dictionary(f.groups.items.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var groupsOfUser: [String: Set<String>] = [:]
        for g in f.groups.items {
            for m in g.memberIds { groupsOfUser[m, default: []].insert(g.id) }
        }
        let registrations = Dictionary(f.registrationDetails.items.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })

        // Who is an admin: active assignments and eligibilities in force now.
        var admins: [String: Admin] = [:]
        var unresolvedGroups: [String] = []
        var servicePrincipals = 0
        func grant(_ a: Secscore_Tenant_V1_RoleAssignment, eligible: Bool) {
            let role = template(a.roleDefinitionID)
            guard adminRoles.contains(role) else { return }
            if eligible {
                if a.startUnixMs != 0 && a.startUnixMs > now { return }
                if a.endUnixMs != 0 && a.endUnixMs <= now { return }
            }
            func add(_ userID: String, name: String, via group: String?) {
                let known = users[userID]?.userPrincipalName ?? registrations[userID]?.userPrincipalName ?? ""
                var admin = admins[userID] ?? Admin(id: userID, name: known.isEmpty ? name : known)
                if admin.name.isEmpty { admin.name = name }
                if eligible { admin.eligibleRoles.insert(role) } else { admin.activeRoles.insert(role) }
                if let group, !admin.viaGroups.contains(group) { admin.viaGroups.append(group) }
                admins[userID] = admin
            }
            switch a.principalType {
            case "servicePrincipal":
                servicePrincipals += 1
            case "group":
                guard let g = groups[a.principalID] else {
                    unresolvedGroups.append(a.principalDisplayName.isEmpty ? a.principalID : a.principalDisplayName)
                    return
                }
                for member in g.memberIds { add(member, name: users[member]?.userPrincipalName ?? "", via: g.displayName.isEmpty ? g.id : g.displayName) }
            default:
                if a.principalType.isEmpty, let g = groups[a.principalID] {
                    for member in g.memberIds { add(member, name: users[member]?.userPrincipalName ?? "", via: g.displayName.isEmpty ? g.id : g.displayName) }
                } else {
                    add(a.principalID, name: a.principalUserPrincipalName.isEmpty ? a.principalDisplayName : a.principalUserPrincipalName, via: nil)
                }
            }
        }
        for a in f.roleAssignments.items { grant(a, eligible: false) }
        for a in f.roleEligibilities.items { grant(a, eligible: true) }

        if !unresolvedGroups.isEmpty {
            out.status(.couldNotCheck)
            out.insight("Admin roles are assigned to groups whose members are not in the snapshot (\(listed(unresolvedGroups))): add groups.json with members expanded.")
            return out.finding
        }
        let disabled = admins.values.filter { users[$0.id]?.accountDisabled == true }
        for d in disabled { admins.removeValue(forKey: d.id) }
        guard !admins.isEmpty else {
            out.status(.couldNotCheck)
            out.insight("No user holds an admin role in roleAssignments.json; the export looks incomplete (every tenant has a Global Administrator).")
            return out.finding
        }

        let securityDefaultsOn = f.hasSecurityDefaults && f.securityDefaults.isEnabled
        let policies = f.conditionalAccessPolicies.items
        var failing = 0
        var unregistered = 0
        var uncovered = 0
        var undecided: [String] = []
        let sorted = admins.values.sorted { ($0.name.lowercased(), $0.id) < ($1.name.lowercased(), $1.id) }
        for admin in sorted {
            let user = users[admin.id]
            let display = !admin.name.isEmpty ? admin.name : (registrations[admin.id]?.userPrincipalName ?? admin.id)
            let roles = (admin.activeRoles.map { roleNames[$0] ?? $0 } + admin.eligibleRoles.subtracting(admin.activeRoles).map { (roleNames[$0] ?? $0) + " (eligible)" }).sorted()
            var roleText = roles.joined(separator: ", ")
            if !admin.viaGroups.isEmpty { roleText += " through group \(admin.viaGroups.joined(separator: ", "))" }

            // Covered?
            var coveredBy: [String] = []
            var gaps: [String] = []
            if securityDefaultsOn { coveredBy.append("security defaults") }
            if let state = user?.perUserMfaState, state == .enabled || state == .enforced {
                coveredBy.append("per-user MFA (\(state == .enforced ? "enforced" : "enabled"))")
            }
            let userGroups = groupsOfUser[admin.id] ?? []
            let allRoles = admin.activeRoles.union(admin.eligibleRoles)
            for policy in policies {
                switch policyCovers(policy, userID: admin.id, isGuest: user?.userType == "Guest", groups: userGroups,
                                    activeRoles: admin.activeRoles, anyRoles: allRoles, groupNames: groups, roleNames: roleNames) {
                case .covers: coveredBy.append("policy '\(policy.displayName)'")
                case .doesNotApply: break
                case .gap(let why): gaps.append(why)
                }
            }
            // Registered?
            let registration = registrations[admin.id]
            let externalOnly = externalMethodsCount && (registration?.methodsRegistered.contains("externalAuthenticationMethod") ?? false)
            let registered = registration?.isMfaRegistered == true || externalOnly
            var reasons: [String] = []
            if coveredBy.isEmpty {
                var why = "not covered by any MFA requirement"
                if !gaps.isEmpty { why += ": " + gaps.joined(separator: "; ") }
                else if !securityDefaultsOn && policies.isEmpty { why += " (security defaults are off, no Conditional Access policy, per-user MFA \(perUserText(user?.perUserMfaState))" + ")" }
                reasons.append(why)
                uncovered += 1
                if !f.hasSecurityDefaults || !f.hasConditionalAccessPolicies { undecided.append(display) }
            }
            if !registered {
                reasons.append(registration == nil ? "has no entry in userRegistrationDetails.json, so no MFA registration is known" : "has not registered an MFA method")
                unregistered += 1
            }
            if !reasons.isEmpty {
                failing += 1
                out.insight("\(display) (\(roleText)): " + reasons.joined(separator: "; ") + ".")
            }
            out.item(
                kind: "admin", id: admin.id, name: display, status: reasons.isEmpty ? "compliant" : "notCompliant",
                reasons: reasons,
                attributes: [("roles", roleText), ("coveredBy", coveredBy.isEmpty ? "nothing" : coveredBy.joined(separator: ", ")),
                             ("mfaRegistered", registered ? "yes" : "no")])
        }
        out.metric("admins", Double(admins.count))
        out.metric("adminsNotCovered", Double(uncovered))
        out.metric("adminsNotRegistered", Double(unregistered))
        if !disabled.isEmpty { out.metric("disabledAdminsIgnored", Double(disabled.count)) }
        if servicePrincipals > 0 { out.metric("servicePrincipalAssignmentsIgnored", Double(servicePrincipals)) }

        if !disabled.isEmpty {
            out.insight("\(plural(disabled.count, "disabled account")) holding admin roles ignored (cannot sign in): \(listed(disabled.map { $0.name.isEmpty ? $0.id : $0.name }.sorted())).")
        }
        if servicePrincipals > 0 {
            out.insight("\(plural(servicePrincipals, "admin role assignment")) to service principals ignored: MFA does not apply to workload identities.")
        }
        if failing == 0 {
            out.status(.compliant)
            out.headline("All \(plural(admins.count, "admin")) are covered by MFA and have registered MFA.")
        } else if !undecided.isEmpty && undecided.count == uncovered && unregistered == 0 {
            // Not covered by what we can see, but a coverage source is missing.
            let missing = [f.hasSecurityDefaults ? nil : "securityDefaults.json", f.hasConditionalAccessPolicies ? nil : "conditionalAccessPolicies.json"].compactMap { $0 }
            out.status(.couldNotCheck)
            out.headline("Cannot tell whether \(plural(undecided.count, "admin")) are covered: \(missing.joined(separator: " and ")) \(missing.count == 1 ? "is" : "are") missing.")
        } else {
            out.status(.notCompliant)
            out.headline("\(failing) of \(plural(admins.count, "admin")) fail: \(uncovered) not covered by MFA, \(unregistered) not registered.")
        }
        return out.finding
    }

    static func perUserText(_ state: Secscore_Tenant_V1_PerUserMfaState?) -> String {
        switch state {
        case .disabled: "disabled"
        case .enabled: "enabled"
        case .enforced: "enforced"
        default: "unknown"
        }
    }

    enum Coverage {
        case covers
        case doesNotApply
        /// The policy targets the admin but does not enforce MFA everywhere.
        case gap(String)
    }

    /// Decides whether one Conditional Access policy requires MFA of one
    /// admin at every sign-in to every cloud app.
    static func policyCovers(
        _ p: Secscore_Tenant_V1_ConditionalAccessPolicy, userID: String, isGuest: Bool, groups: Set<String>,
        activeRoles: Set<String>, anyRoles: Set<String>, groupNames: [String: Secscore_Tenant_V1_Group],
        roleNames: [String: String]
    ) -> Coverage {
        let name = "policy '\(p.displayName)'"
        func groupName(_ id: String) -> String { groupNames[id].map { $0.displayName.isEmpty ? id : $0.displayName } ?? id }
        // Included?
        var includedBy: String?
        if p.includeUsers.contains("All") { includedBy = "all users" }
        else if p.includeUsers.contains(userID) { includedBy = "the user" }
        else if let g = p.includeGroups.first(where: groups.contains) { includedBy = "group \(groupName(g))" }
        else if let r = p.includeRoles.first(where: activeRoles.contains) { includedBy = "role \(roleNames[r] ?? r)" }
        guard includedBy != nil else {
            if let r = p.includeRoles.first(where: anyRoles.contains) {
                return .gap("\(name) targets \(roleNames[r] ?? r), which this admin holds only as PIM-eligible; target the user or a group as well")
            }
            return .doesNotApply
        }
        // Excluded?
        if p.excludeUsers.contains(userID) { return .gap("excluded from \(name) by user") }
        if isGuest, p.excludeUsers.contains("GuestsOrExternalUsers") { return .gap("excluded from \(name) as a guest") }
        if let g = p.excludeGroups.first(where: groups.contains) { return .gap("excluded from \(name) through group \(groupName(g))") }
        if let r = p.excludeRoles.first(where: anyRoles.contains) { return .gap("excluded from \(name) through role \(roleNames[r] ?? r)") }
        // Enforced?
        switch p.state {
        case .enabled: break
        case .reportOnly: return .gap("\(name) is report-only")
        case .disabled: return .gap("\(name) is disabled")
        default: return .gap("\(name) has an unknown state")
        }
        // Every app, every sign-in?
        guard p.includeApplications.contains("All") else {
            return .gap(p.includeUserActions.isEmpty ? "\(name) targets only some cloud apps" : "\(name) targets user actions, not sign-ins")
        }
        if !p.excludeApplications.isEmpty { return .gap("\(name) excludes \(plural(p.excludeApplications.count, "cloud app"))") }
        if !p.userRiskLevels.isEmpty { return .gap("\(name) applies only at user risk \(p.userRiskLevels.joined(separator: "/"))") }
        if !p.signInRiskLevels.isEmpty { return .gap("\(name) applies only at sign-in risk \(p.signInRiskLevels.joined(separator: "/"))") }
        if !p.insiderRiskLevels.isEmpty { return .gap("\(name) applies only at insider risk \(p.insiderRiskLevels.joined(separator: "/"))") }
        if !(p.includeLocations.isEmpty || p.includeLocations == ["All"]) || !p.excludeLocations.isEmpty {
            return .gap("\(name) applies only in some locations")
        }
        if !(p.includePlatforms.isEmpty || p.includePlatforms.map { $0.lowercased() } == ["all"]) || !p.excludePlatforms.isEmpty {
            return .gap("\(name) applies only on some device platforms")
        }
        if p.hasDeviceFilter_p { return .gap("\(name) applies only to devices matching a filter") }
        let apps = Set(p.clientAppTypes.map { $0.lowercased() })
        if !(apps.isEmpty || apps.contains("all") || (apps.contains("browser") && apps.contains("mobileappsanddesktopclients"))) {
            return .gap("\(name) applies only to some client apps (\(p.clientAppTypes.joined(separator: ", ")))")
        }
        // Does the grant require MFA, with no way around it?
        let controls = p.builtInControls.map { $0.lowercased() }
        if controls.contains("block") { return .gap("\(name) blocks access instead of requiring MFA") }
        let strengthMFA = p.hasAuthenticationStrength && p.authenticationStrength.requirementsSatisfied.lowercased() == "mfa"
        let requiresMFA = controls.contains("mfa") || strengthMFA
        guard requiresMFA else {
            if !p.customAuthenticationFactors.isEmpty {
                return .gap("\(name) relies on custom control \(p.customAuthenticationFactors.joined(separator: ", ")), which does not count as MFA")
            }
            return .gap("\(name) does not require MFA (grants: \(p.builtInControls.isEmpty ? "none" : p.builtInControls.joined(separator: ", ")))")
        }
        let others = controls.filter { $0 != "mfa" } + p.customAuthenticationFactors
        if p.grantOperator.uppercased() != "AND", !others.isEmpty {
            return .gap("\(name) accepts \(others.joined(separator: " or ")) instead of MFA (grant operator OR)")
        }
        return .covers
    }
}
