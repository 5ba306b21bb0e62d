import SecScoreJSON
import SecScoreWire

/// conditionalAccessPolicies.json: Graph's `identity/conditionalAccess/policies`
/// (v1.0 or beta). Modeled properties are decoded strictly; every other
/// property with a value is kept in `unmodeled_properties` (see
/// `ConditionalAccessProperties`), so nothing that could narrow a policy is
/// dropped on the way to the check.
extension SnapshotLoader {
    static func decodePolicy(_ node: JSONNode) throws(SnapshotError) -> Secscore_Tenant_V1_ConditionalAccessPolicy {
        var p = Secscore_Tenant_V1_ConditionalAccessPolicy()
        p.id = try node.requiredString("id")
        p.displayName = try node.string("displayName") ?? ""
        switch try node.enumeration("state", ["enabled", "disabled", "enabledForReportingButNotEnforced"]) {
        case "enabled": p.state = .enabled
        case "disabled": p.state = .disabled
        case "enabledForReportingButNotEnforced": p.state = .reportOnly
        default: throw node.fail("state", "is missing; expected enabled, disabled or enabledForReportingButNotEnforced")
        }
        if let conditions = node.member("conditions") {
            let c = try conditions.object()
            if let users = c.member("users") {
                let u = try users.object()
                p.includeUsers = try u.strings("includeUsers") ?? []
                p.excludeUsers = try u.strings("excludeUsers") ?? []
                p.includeGroups = try u.strings("includeGroups") ?? []
                p.excludeGroups = try u.strings("excludeGroups") ?? []
                p.includeRoles = try u.strings("includeRoles") ?? []
                p.excludeRoles = try u.strings("excludeRoles") ?? []
                if let g = try guestsOrExternalUsers(u.member("includeGuestsOrExternalUsers")) {
                    p.includeGuestsOrExternalUsers = g
                }
                if let g = try guestsOrExternalUsers(u.member("excludeGuestsOrExternalUsers")) {
                    p.excludeGuestsOrExternalUsers = g
                }
                p.hasGuestsOrExternalUsersCondition_p =
                    p.hasIncludeGuestsOrExternalUsers || p.hasExcludeGuestsOrExternalUsers
            }
            if let apps = c.member("applications") {
                let a = try apps.object()
                p.includeApplications = try a.strings("includeApplications") ?? []
                p.excludeApplications = try a.strings("excludeApplications") ?? []
                p.includeUserActions = try a.strings("includeUserActions") ?? []
            }
            p.userRiskLevels = try c.strings("userRiskLevels") ?? []
            p.signInRiskLevels = try c.strings("signInRiskLevels") ?? []
            p.insiderRiskLevels = try commaList(c, "insiderRiskLevels")
            p.clientAppTypes = try c.strings("clientAppTypes") ?? []
            if let platforms = c.member("platforms") {
                p.includePlatforms = try platforms.object().strings("includePlatforms") ?? []
                p.excludePlatforms = try platforms.strings("excludePlatforms") ?? []
            }
            if let locations = c.member("locations") {
                p.includeLocations = try locations.object().strings("includeLocations") ?? []
                p.excludeLocations = try locations.strings("excludeLocations") ?? []
            }
            if let devices = c.member("devices") {
                p.hasDeviceFilter_p = try devices.object().present("deviceFilter") != nil
            }
        }
        if let grant = node.member("grantControls") {
            let g = try grant.object()
            p.grantOperator = try g.string("operator") ?? ""
            p.builtInControls = try g.strings("builtInControls") ?? []
            p.customAuthenticationFactors = try g.strings("customAuthenticationFactors") ?? []
            p.termsOfUse = try g.strings("termsOfUse") ?? []
            if let strength = g.member("authenticationStrength") {
                let s = try strength.object()
                var a = Secscore_Tenant_V1_AuthenticationStrength()
                a.id = try s.string("id") ?? ""
                a.displayName = try s.string("displayName") ?? ""
                a.requirementsSatisfied = try s.string("requirementsSatisfied") ?? ""
                // Graph sends each combination as one comma-joined string
                // ("password,sms"); some exports split them into arrays.
                a.allowedCombinations = try (s.array("allowedCombinations") ?? []).map { c throws(SnapshotError) in
                    switch c.value {
                    case .string(let text): return text
                    case .array(let parts):
                        var modes: [String] = []
                        for part in parts {
                            guard case .string(let mode) = part else { throw c.fail("expected a string, found \(part.kind)") }
                            modes.append(mode)
                        }
                        return modes.joined(separator: ",")
                    default: throw c.fail("expected a string such as \"password,sms\", found \(c.value.kind)")
                    }
                }
                p.authenticationStrength = a
            }
        }
        p.unmodeledProperties = ConditionalAccessProperties.unmodeled(in: node.value, prefix: "")
        return p
    }

    /// Graph's conditionalAccessGuestsOrExternalUsers; nil when null or
    /// when it names no user type (Graph then ignores it).
    static func guestsOrExternalUsers(_ node: JSONNode?) throws(SnapshotError) -> Secscore_Tenant_V1_GuestsOrExternalUsers? {
        guard let node else { return nil }
        let o = try node.object()
        var g = Secscore_Tenant_V1_GuestsOrExternalUsers()
        g.guestOrExternalUserTypes = try commaList(o, "guestOrExternalUserTypes").filter { $0.lowercased() != "none" }
        guard !g.guestOrExternalUserTypes.isEmpty else { return nil }
        if let tenants = o.member("externalTenants") {
            let t = try tenants.object()
            var kind = try t.string("membershipKind") ?? ""
            if kind.isEmpty {
                // The @odata.type names the kind when membershipKind is left out.
                let type = (try t.string("@odata.type") ?? "").lowercased()
                if type.hasSuffix("allexternaltenants") { kind = "all" }
                else if type.hasSuffix("enumeratedexternaltenants") { kind = "enumerated" }
            }
            g.externalTenantsMembershipKind = kind
            g.externalTenantIds = try t.strings("members") ?? []
        }
        return g
    }

    /// A multi-valued enum as Graph sends it (one comma-joined string), or
    /// as an array of strings.
    static func commaList(_ node: JSONNode, _ key: String) throws(SnapshotError) -> [String] {
        guard let m = node.member(key) else { return [] }
        if case .string(let s) = m.value {
            return s.split(separator: ",").map { String($0).trimmingCharacters() }.filter { !$0.isEmpty }
        }
        return try node.strings(key) ?? []
    }
}
