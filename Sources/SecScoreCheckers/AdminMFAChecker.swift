public import SecScoreWire

/// `mfaEnforcedForAdmins`: every admin of the partner tenant is covered by
/// an MFA requirement and has registered MFA. Rules and the choices behind
/// them: docs/REQUIREMENTS.md.
public enum AdminMFAChecker: Checker {
    public static let requirementID = "mfaEnforcedForAdmins"
    public static let title = "MFA for every admin of the partner tenant"
    public static let description = "Every admin (active or PIM-eligible) is covered by security defaults, a Conditional Access policy or per-user MFA, and has registered MFA."
    public static let requiredFacets: [Secscore_Tenant_V1_Facet] = [.roleAssignments, .registrationDetails]
    /// Only role holders' users, registrations and group memberships: the
    /// rule judges admins alone, so it never needs anyone else's record.
    public static let principalScope = Secscore_Plugin_V1_PrincipalScope.roleHolders
    public static let optionalFacets: [Secscore_Tenant_V1_Facet] = [
        .roleDefinitions, .roleEligibilities, .users, .groups, .securityDefaults, .conditionalAccessPolicies,
        .groupEligibilities,
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

    public static func evaluate(_ input: CheckInput) -> Secscore_Plugin_V1_Finding {
        var out = FindingBuilder(requirementID)
        let f = input.facets
        let now = input.context.nowUnixMs
        let externalMethodsCount = input.parameters["externalAuthenticationMethodsCount"]?.first == "true"

        var roleNames = defaultAdminRoles
        let adminRoles = Set(input.parameters["adminRoleTemplateIds"] ?? Array(defaultAdminRoles.keys))
        for d in f.roleDefinitions.items where roleNames[d.templateID] == nil && !d.displayName.isEmpty {
            roleNames[d.templateID] = d.displayName
        }
        let users = Dictionary(f.users.items.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let membership = GroupMembership(f.groups.items)
        let registrations = Dictionary(f.registrationDetails.items.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })

        // Who is an admin: active assignments and eligibilities in force now.
        let roster = AdminRoster(facets: f, adminRoles: adminRoles, roleNames: roleNames, membership: membership, now: now)
        var admins = roster.admins
        if !roster.unresolvedGroups.isEmpty {
            out.status(.couldNotCheck)
            out.insight("Admin roles are held by groups whose members are not all in the snapshot: \(listed(roster.unresolvedGroups)). Export groups.json with transitiveMembers expanded.")
            return out.finding
        }
        let disabled = admins.values.filter { users[$0.id]?.accountDisabled == true }
        for d in disabled { admins.removeValue(forKey: d.id) }
        guard !admins.isEmpty || !roster.unknownPrincipals.isEmpty else {
            out.status(.couldNotCheck)
            out.insight("No user holds an admin role in roleAssignments.json; the export looks incomplete (every tenant has a Global Administrator).")
            return out.finding
        }

        let securityDefaultsOn = f.hasSecurityDefaults && f.securityDefaults.isEnabled
        let policies = f.conditionalAccessPolicies.items
        var failing = 0
        var unregistered = 0
        var uncovered = 0
        /// Admins not covered by what we can see while a coverage file is missing.
        var missingCoverageSource: [String] = []
        /// Admins whose verdict needs data the snapshot lacks.
        var undecidedAdmins = 0
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
            var unknowns: [String] = []
            if securityDefaultsOn { coveredBy.append("security defaults") }
            if let state = user?.perUserMfaState, state == .enabled || state == .enforced {
                coveredBy.append("per-user MFA (\(state == .enforced ? "enforced" : "enabled"))")
            }
            let subject = PolicyCoverage.Subject(
                userID: admin.id, guest: GuestClassification(user), groups: membership.groupsContaining(admin.id), admin: admin)
            for policy in policies {
                switch PolicyCoverage.evaluate(policy, for: subject, membership: membership, roleNames: roleNames) {
                case .covers: coveredBy.append("policy '\(policy.displayName)'")
                case .doesNotApply: break
                case .gap(let why): gaps.append(why)
                case .undecided(let why): unknowns.append(why)
                }
            }
            // Registered?
            let registration = registrations[admin.id]
            let externalOnly = externalMethodsCount && (registration?.methodsRegistered.contains("externalAuthenticationMethod") ?? false)
            let registrationUnknown = registration?.mfaRegistrationUnknown == true && !externalOnly
            let registered = registration?.isMfaRegistered == true || externalOnly
            var reasons: [String] = []
            var open: [String] = []
            if coveredBy.isEmpty {
                if !unknowns.isEmpty {
                    open.append("coverage cannot be decided: " + unknowns.joined(separator: "; "))
                } else {
                    var why = "not covered by any MFA requirement"
                    if !gaps.isEmpty {
                        why += ": " + gaps.joined(separator: "; ")
                    } else if !f.hasSecurityDefaults || !f.hasConditionalAccessPolicies {
                        // Only what the snapshot shows: a missing file is not "off" or "none".
                        why = "not covered by anything the snapshot shows"
                    } else if !securityDefaultsOn && policies.isEmpty {
                        why += " (security defaults are off, no Conditional Access policy, per-user MFA \(perUserText(user?.perUserMfaState))" + ")"
                    }
                    reasons.append(why)
                    uncovered += 1
                    if !f.hasSecurityDefaults || !f.hasConditionalAccessPolicies { missingCoverageSource.append(display) }
                }
            }
            if registrationUnknown {
                open.append("userRegistrationDetails.json gives isMfaRegistered as null, so the MFA registration is unknown")
            } else if !registered {
                reasons.append(registration == nil ? "has no entry in userRegistrationDetails.json, so no MFA registration is known" : "has not registered an MFA method")
                unregistered += 1
            }
            if !reasons.isEmpty {
                failing += 1
                out.insight("\(display) (\(roleText)): " + (reasons + open).joined(separator: "; ") + ".")
            } else if !open.isEmpty {
                undecidedAdmins += 1
                out.insight("Could not decide \(display) (\(roleText)): " + open.joined(separator: "; ") + ".")
            }
            out.item(
                kind: "admin", id: admin.id, name: display,
                status: !reasons.isEmpty ? "notCompliant" : open.isEmpty ? "compliant" : "unknown",
                reasons: reasons + open,
                attributes: [("roles", roleText), ("coveredBy", coveredBy.isEmpty ? "nothing" : coveredBy.joined(separator: ", ")),
                             ("mfaRegistered", registrationUnknown ? "unknown" : registered ? "yes" : "no")])
        }
        // Role holders the snapshot cannot identify: never guessed to be users.
        for p in roster.unknownPrincipals {
            undecidedAdmins += 1
            out.insight("Could not decide who holds \(p.role) as principal \(p.id) (\(p.file)): it is in neither users.json nor groups.json and its type was not exported. Export with $expand=principal, and add the group with its members to groups.json if it is one.")
            out.item(kind: "principal", id: p.id, name: p.id, status: "unknown", reasons: ["type unknown: not in users.json or groups.json"],
                     attributes: [("roles", p.role)])
        }
        if !roster.roleHoldingGroups.isEmpty && !f.hasGroupEligibilities {
            out.insight("Groups hold admin roles (\(listed(roster.roleHoldingGroups))); PIM for Groups eligible members are not in the snapshot (add groupEligibilitySchedules.json), and any would be admins too.")
        }
        out.metric("admins", Double(admins.count))
        out.metric("adminsNotCovered", Double(uncovered))
        out.metric("adminsNotRegistered", Double(unregistered))
        if undecidedAdmins > 0 { out.metric("adminsUndecided", Double(undecidedAdmins)) }
        if !disabled.isEmpty { out.metric("disabledAdminsIgnored", Double(disabled.count)) }
        if roster.servicePrincipals > 0 { out.metric("servicePrincipalAssignmentsIgnored", Double(roster.servicePrincipals)) }

        if !disabled.isEmpty {
            out.insight("\(plural(disabled.count, "disabled account")) holding admin roles ignored (cannot sign in): \(listed(disabled.map { $0.name.isEmpty ? $0.id : $0.name }.sorted())).")
        }
        if roster.servicePrincipals > 0 {
            out.insight("\(plural(roster.servicePrincipals, "admin role assignment")) to service principals ignored: MFA does not apply to workload identities.")
        }
        let total = admins.count + roster.unknownPrincipals.count
        if failing > 0 && !(missingCoverageSource.count == uncovered && unregistered == 0 && failing == uncovered) {
            out.status(.notCompliant)
            out.headline("\(failing) of \(plural(total, "admin")) fail: \(uncovered) not covered by MFA, \(unregistered) not registered.")
        } else if failing > 0 {
            // Not covered by what we can see, but a coverage source is missing.
            let missing = [f.hasSecurityDefaults ? nil : "securityDefaults.json", f.hasConditionalAccessPolicies ? nil : "conditionalAccessPolicies.json"].compactMap { $0 }
            out.status(.couldNotCheck)
            out.headline("Cannot tell whether \(plural(missingCoverageSource.count, "admin")) are covered: \(missing.joined(separator: " and ")) \(missing.count == 1 ? "is" : "are") missing.")
        } else if undecidedAdmins > 0 {
            out.status(.couldNotCheck)
            out.headline("\(undecidedAdmins) of \(plural(total, "admin")) cannot be decided from the snapshot; none is known to fail.")
        } else {
            out.status(.compliant)
            out.headline("All \(plural(admins.count, "admin")) are covered by MFA and have registered MFA.")
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
}
