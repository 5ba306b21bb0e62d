import SecScoreWire

/// Whether one Conditional Access policy requires MFA of one admin at every
/// sign-in to every cloud app, read as Entra ID applies it (Graph
/// `conditionalAccessPolicy`; Microsoft Entra documentation on Conditional
/// Access users and groups, conditions and grant controls). Every row of
/// docs/REQUIREMENTS.md's Conditional Access table is decided here or in
/// the loader's `ConditionalAccessProperties`.
enum PolicyCoverage: Equatable {
    case covers
    case doesNotApply
    /// The policy may target the admin but does not enforce MFA everywhere.
    case gap(String)
    /// Whether the policy covers the admin depends on data the snapshot
    /// does not have.
    case undecided(String)

    /// The admin as policies see them.
    struct Subject {
        var userID: String
        var guest: GuestClassification
        /// Groups containing the admin at any depth, with the chain of names.
        var groups: [String: [String]]
        var admin: AdminRoster.Admin
    }

    /// Values of includeUsers/excludeUsers that are not object ids.
    static let knownUserKeywords: Set<String> = ["all", "none", "guestsorexternalusers", "allagentidusers"]

    static func evaluate(
        _ p: Secscore_Tenant_V1_ConditionalAccessPolicy, for s: Subject, membership: GroupMembership,
        roleNames: [String: String]
    ) -> PolicyCoverage {
        // Made only for a message: most pairs of a policy and an admin need none.
        var name: String { "policy '\(p.displayName.isEmpty ? p.id : p.displayName)'" }
        func role(_ id: String) -> String { roleNames[id] ?? id }
        func chain(_ groupID: String) -> String { (s.groups[groupID] ?? [membership.name(groupID)]).joined(separator: " → ") }
        var undecided: [String] = []

        // Included?
        var included = p.includeUsers.contains { $0.lowercasedEquals("all") } || p.includeUsers.contains(s.userID)
            || p.includeGroups.contains { s.groups[$0] != nil }
            || p.includeRoles.contains { s.admin.targetableActive.contains($0) }
        if !included, p.includeUsers.contains(where: { $0.lowercasedEquals("guestsorexternalusers") }) {
            switch s.guest.isGuestOrExternal {
            case true?: included = true
            case nil: undecided.append("\(name) includes guests and external users, and the snapshot cannot tell whether this admin is one")
            default: break
            }
        }
        if !included, p.hasIncludeGuestsOrExternalUsers {
            switch s.guest.matches(p.includeGuestsOrExternalUsers) {
            case .yes: included = true
            case .undecided(let why): undecided.append("\(name) includes some guests or external users: \(why)")
            case .no: break
            }
        }
        if !included {
            for g in p.includeGroups {
                if let why = membership.incompleteness(of: g) {
                    undecided.append("\(name) includes group \(membership.name(g)), and \(why)")
                }
            }
            for r in p.includeRoles {
                if let (why, certain) = s.admin.untargetable[r] {
                    if !certain { undecided.append("\(name) targets \(role(r)), and \(why)") }
                }
            }
        }
        guard included || !undecided.isEmpty else {
            if let r = p.includeRoles.first(where: { s.admin.targetableEligible.contains($0) }) {
                return .gap("\(name) targets \(role(r)), which this admin holds only as PIM-eligible; target the user or a group as well")
            }
            if let r = p.includeRoles.first(where: { s.admin.untargetable[$0]?.certain == true }),
               let why = s.admin.untargetable[r]?.why {
                return .gap("\(name) targets \(role(r)), but \(why): Conditional Access role targeting covers only tenant-wide assignments of built-in roles; target the user or a group")
            }
            return .doesNotApply
        }

        // Excluded? Where the snapshot cannot tell, the exclusion is taken to apply.
        if p.excludeUsers.contains(s.userID) { return .gap("excluded from \(name) by user") }
        if p.excludeUsers.contains(where: { $0.lowercasedEquals("guestsorexternalusers") }) {
            switch s.guest.isGuestOrExternal {
            case true?: return .gap("excluded from \(name) as a guest or external user (\(s.guest.description))")
            case nil: return .gap("\(name) excludes guests and external users, and the snapshot cannot tell whether this admin is one (counted as excluded)")
            default: break
            }
        }
        if let odd = p.excludeUsers.first(where: { !looksLikeObjectID($0) && !knownUserKeywords.contains($0.lowercased()) }) {
            return .gap("\(name) excludes \"\(odd)\", a value secscore does not know (counted as excluding this admin)")
        }
        if p.hasExcludeGuestsOrExternalUsers {
            switch s.guest.matches(p.excludeGuestsOrExternalUsers) {
            case .yes(let type): return .gap("excluded from \(name) as a guest or external user (\(type))")
            case .undecided(let why): return .gap("\(name) excludes some guests or external users: \(why) (counted as excluded)")
            case .no: break
            }
        }
        if let g = p.excludeGroups.first(where: { s.groups[$0] != nil }) {
            return .gap("excluded from \(name) through group \(chain(g))")
        }
        for g in p.excludeGroups {
            if let why = membership.incompleteness(of: g) {
                undecided.append("\(name) excludes group \(membership.name(g)), and \(why)")
            }
        }
        if let r = p.excludeRoles.first(where: { s.admin.excludable.contains($0) }) {
            return .gap("excluded from \(name) through role \(role(r))")
        }

        // Enforced?
        switch p.state {
        case .enabled: break
        case .reportOnly: return .gap("\(name) is report-only")
        case .disabled: return .gap("\(name) is disabled")
        default: return .gap("\(name) has an unknown state")
        }
        // Anything the host does not model fails closed.
        if let u = p.unmodeledProperties.first {
            let what = u.unknown ? "a property secscore does not know" : "a condition secscore does not model"
            return .gap("\(name) sets \(u.path) = \(u.value), \(what); it may narrow the policy, so it does not count")
        }
        if let gap = conditionsGap(p, name: name) { return .gap(gap) }

        switch grant(p, name: name) {
        case .covers: break
        case .gap(let why): return .gap(why)
        case .undecided(let why): undecided.append(why)
        case .doesNotApply: return .doesNotApply
        }
        return undecided.isEmpty ? .covers : .undecided(undecided.joined(separator: "; "))
    }

    /// A GUID-shaped object id.
    static func looksLikeObjectID(_ s: String) -> Bool {
        s.count == 36 && s.split(separator: "-").map(\.count) == [8, 4, 4, 4, 12] && s.allSatisfy { $0.isHexDigit || $0 == "-" }
    }

    /// Conditions that leave some sign-ins out.
    static func conditionsGap(_ p: Secscore_Tenant_V1_ConditionalAccessPolicy, name: String) -> String? {
        guard p.includeApplications.contains(where: { $0.lowercasedEquals("all") }) else {
            return p.includeUserActions.isEmpty ? "\(name) targets only some cloud apps" : "\(name) targets user actions, not sign-ins"
        }
        if !p.excludeApplications.isEmpty { return "\(name) excludes \(plural(p.excludeApplications.count, "cloud app"))" }
        if !p.userRiskLevels.isEmpty { return "\(name) applies only at user risk \(p.userRiskLevels.joined(separator: "/"))" }
        if !p.signInRiskLevels.isEmpty { return "\(name) applies only at sign-in risk \(p.signInRiskLevels.joined(separator: "/"))" }
        if !p.insiderRiskLevels.isEmpty { return "\(name) applies only at insider risk \(p.insiderRiskLevels.joined(separator: "/"))" }
        if !(p.includeLocations.isEmpty || p.includeLocations.map { $0.lowercased() } == ["all"]) || !p.excludeLocations.isEmpty {
            return "\(name) applies only in some locations"
        }
        if !(p.includePlatforms.isEmpty || p.includePlatforms.map { $0.lowercased() } == ["all"]) || !p.excludePlatforms.isEmpty {
            return "\(name) applies only on some device platforms"
        }
        if p.hasDeviceFilter_p { return "\(name) applies only to devices matching a filter" }
        let apps = Set(p.clientAppTypes.map { $0.lowercased() })
        if !(apps.isEmpty || apps.contains("all") || (apps.contains("browser") && apps.contains("mobileappsanddesktopclients"))) {
            return "\(name) applies only to some client apps (\(p.clientAppTypes.joined(separator: ", ")))"
        }
        return nil
    }

    /// The grant: with AND, MFA anywhere in it is required; with OR (or no
    /// operator, which Graph reads as OR) every alternative must be MFA,
    /// because a user may satisfy any one of them.
    static func grant(_ p: Secscore_Tenant_V1_ConditionalAccessPolicy, name: String) -> PolicyCoverage {
        let controls = p.builtInControls.map { $0.lowercased() }
        if controls.contains("block") { return .gap("\(name) blocks access instead of requiring MFA") }
        var alternatives: [(name: String, mfa: Bool?)] = []
        for (c, lower) in zip(p.builtInControls, controls) { alternatives.append((c, lower == "mfa")) }
        for c in p.customAuthenticationFactors { alternatives.append(("custom control \(c)", false)) }
        for t in p.termsOfUse { alternatives.append(("terms of use \(t)", false)) }
        var unknownStrength: String?
        if p.hasAuthenticationStrength {
            let s = p.authenticationStrength
            let label = "authentication strength '\(s.displayName.isEmpty ? s.id : s.displayName)'"
            switch AuthenticationStrengthRule.verdict(s) {
            case .multifactor: alternatives.append((label, true))
            case .singleFactor(let combos): alternatives.append(("\(label), which allows \(combos.joined(separator: ", ")) alone", false))
            case .unknown(let why):
                alternatives.append((label, nil))
                unknownStrength = why
            }
        }
        let listedGrants = alternatives.isEmpty ? "none" : alternatives.map(\.name).joined(separator: ", ")
        if p.grantOperator.uppercased() == "AND" {
            if alternatives.contains(where: { $0.mfa == true }) { return .covers }
            if let unknownStrength { return .undecided("\(name) requires \(unknownStrength)") }
            if !p.customAuthenticationFactors.isEmpty {
                return .gap("\(name) relies on custom control \(p.customAuthenticationFactors.joined(separator: ", ")), which does not count as MFA")
            }
            return .gap("\(name) does not require MFA (grants: \(listedGrants))")
        }
        let others = alternatives.filter { $0.mfa == false }.map(\.name)
        if alternatives.isEmpty || (alternatives.allSatisfy { $0.mfa == false }) {
            if !p.customAuthenticationFactors.isEmpty {
                return .gap("\(name) relies on custom control \(p.customAuthenticationFactors.joined(separator: ", ")), which does not count as MFA")
            }
            return .gap("\(name) does not require MFA (grants: \(listedGrants))")
        }
        if !others.isEmpty {
            return .gap("\(name) accepts \(others.joined(separator: " or ")) instead of MFA (grant operator OR)")
        }
        if let unknownStrength { return .undecided("\(name) accepts \(unknownStrength)") }
        return .covers
    }
}
