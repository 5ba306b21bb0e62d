import SecScoreJSON
import SecScoreWire

/// Every property of Graph's `conditionalAccessPolicy` (v1.0 and beta) that
/// the host knows, and how it treats each one. The decoder walks every key of
/// an exported policy against this table, so a property is either modeled,
/// known to have no effect on who must do MFA, or fails closed: present with
/// a value, it is reported in `unmodeled_properties` and the policy does not
/// count as MFA coverage. A key missing from the table is unknown and fails
/// closed the same way. docs/REQUIREMENTS.md lists the table with the
/// Microsoft page behind each row (a test keeps the two in step).
public enum ConditionalAccessProperties {
    public enum Treatment: String, Sendable {
        /// Decoded with its real meaning; the check judges its value.
        case modeled
        /// Changes neither who the policy applies to nor what satisfies its
        /// grant (names, dates, session controls).
        case noEffect
        /// Known but not modeled: with a value, the policy does not count.
        case failsClosed
        /// An object whose members are listed in the table themselves.
        case container
    }

    /// Path (dot-separated, from the policy object) → treatment.
    public static let table: [String: Treatment] = {
        var t: [String: Treatment] = [:]
        for (path, treatment) in rows { t[path] = treatment }
        return t
    }()

    /// The table in a stable order, for the documentation test.
    public static let rows: [(String, Treatment)] = [
        // The policy itself (conditionalAccessPolicy).
        ("id", .noEffect),
        ("templateId", .noEffect),
        ("displayName", .noEffect),
        ("description", .noEffect),
        ("createdDateTime", .noEffect),
        ("modifiedDateTime", .noEffect),
        ("deletedDateTime", .noEffect),
        ("state", .modeled),
        ("conditions", .container),
        ("grantControls", .container),
        ("sessionControls", .container),
        // conditionalAccessConditionSet
        ("conditions.users", .container),
        ("conditions.applications", .container),
        ("conditions.clientApplications", .failsClosed),
        ("conditions.clientAppTypes", .modeled),
        ("conditions.platforms", .container),
        ("conditions.locations", .container),
        ("conditions.devices", .failsClosed),
        ("conditions.deviceStates", .failsClosed),
        ("conditions.times", .failsClosed),
        ("conditions.userRiskLevels", .modeled),
        ("conditions.signInRiskLevels", .modeled),
        ("conditions.insiderRiskLevels", .modeled),
        ("conditions.servicePrincipalRiskLevels", .failsClosed),
        ("conditions.agentIdRiskLevels", .failsClosed),
        ("conditions.authenticationFlows", .failsClosed),
        // conditionalAccessUsers
        ("conditions.users.includeUsers", .modeled),
        ("conditions.users.excludeUsers", .modeled),
        ("conditions.users.includeGroups", .modeled),
        ("conditions.users.excludeGroups", .modeled),
        ("conditions.users.includeRoles", .modeled),
        ("conditions.users.excludeRoles", .modeled),
        ("conditions.users.includeGuestsOrExternalUsers", .container),
        ("conditions.users.includeGuestsOrExternalUsers.guestOrExternalUserTypes", .modeled),
        ("conditions.users.includeGuestsOrExternalUsers.externalTenants", .container),
        ("conditions.users.includeGuestsOrExternalUsers.externalTenants.membershipKind", .modeled),
        ("conditions.users.includeGuestsOrExternalUsers.externalTenants.members", .modeled),
        ("conditions.users.excludeGuestsOrExternalUsers", .container),
        ("conditions.users.excludeGuestsOrExternalUsers.guestOrExternalUserTypes", .modeled),
        ("conditions.users.excludeGuestsOrExternalUsers.externalTenants", .container),
        ("conditions.users.excludeGuestsOrExternalUsers.externalTenants.membershipKind", .modeled),
        ("conditions.users.excludeGuestsOrExternalUsers.externalTenants.members", .modeled),
        // conditionalAccessApplications
        ("conditions.applications.includeApplications", .modeled),
        ("conditions.applications.excludeApplications", .modeled),
        ("conditions.applications.includeUserActions", .modeled),
        ("conditions.applications.includeAuthenticationContextClassReferences", .failsClosed),
        ("conditions.applications.applicationFilter", .failsClosed),
        ("conditions.applications.globalSecureAccess", .failsClosed),
        ("conditions.applications.networkAccess", .failsClosed),
        // conditionalAccessPlatforms
        ("conditions.platforms.includePlatforms", .modeled),
        ("conditions.platforms.excludePlatforms", .modeled),
        // conditionalAccessLocations
        ("conditions.locations.includeLocations", .modeled),
        ("conditions.locations.excludeLocations", .modeled),
        // conditionalAccessGrantControls
        ("grantControls.operator", .modeled),
        ("grantControls.builtInControls", .modeled),
        ("grantControls.customAuthenticationFactors", .modeled),
        ("grantControls.termsOfUse", .modeled),
        ("grantControls.authenticationStrength", .container),
        // authenticationStrengthPolicy, as Graph expands it inside the grant.
        ("grantControls.authenticationStrength.id", .noEffect),
        ("grantControls.authenticationStrength.displayName", .noEffect),
        ("grantControls.authenticationStrength.description", .noEffect),
        ("grantControls.authenticationStrength.policyType", .noEffect),
        ("grantControls.authenticationStrength.createdDateTime", .noEffect),
        ("grantControls.authenticationStrength.modifiedDateTime", .noEffect),
        ("grantControls.authenticationStrength.requirementsSatisfied", .modeled),
        ("grantControls.authenticationStrength.allowedCombinations", .modeled),
        // Restrictions on how a method is used (e.g. which FIDO2 keys):
        // they narrow the allowed methods further, never widen them.
        ("grantControls.authenticationStrength.combinationConfigurations", .noEffect),
        // conditionalAccessSessionControls: they shape the session after
        // sign-in; none of them lets a sign-in skip the grant.
        ("sessionControls.applicationEnforcedRestrictions", .noEffect),
        ("sessionControls.cloudAppSecurity", .noEffect),
        ("sessionControls.continuousAccessEvaluation", .noEffect),
        ("sessionControls.disableResilienceDefaults", .noEffect),
        ("sessionControls.persistentBrowser", .noEffect),
        ("sessionControls.signInFrequency", .noEffect),
        ("sessionControls.secureSignInSession", .noEffect),
        ("sessionControls.globalSecureAccessFilteringProfile", .noEffect),
        ("sessionControls.networkAccessSecurity", .noEffect),
    ]

    /// True when `value` says something: not null, not an empty string,
    /// array or object (an object whose members all say nothing says
    /// nothing). Graph writes unset properties as null or [].
    static func hasValue(_ value: JSONValue) -> Bool {
        switch value {
        case .null: false
        case .string(let s): !s.isEmpty
        case .array(let items): !items.isEmpty
        case .object(let members): members.contains { !isAnnotation($0.0) && hasValue($0.1) }
        case .bool, .number: true
        }
    }

    /// OData annotations (`@odata.type`, `authenticationStrength@odata.context`)
    /// describe the payload, not the policy.
    static func isAnnotation(_ key: String) -> Bool { key.contains("@") }

    /// Walks `object` (at `prefix`, "" for the policy) and returns every
    /// property that fails closed or is unknown and has a value.
    static func unmodeled(in object: JSONValue, prefix: String) -> [Secscore_Tenant_V1_PolicyProperty] {
        guard case .object(let members) = object else { return [] }
        var out: [Secscore_Tenant_V1_PolicyProperty] = []
        for (key, value) in members where !isAnnotation(key) {
            let path = prefix.isEmpty ? key : prefix + "." + key
            switch table[path] {
            case .modeled, .noEffect:
                continue
            case .container:
                out += unmodeled(in: value, prefix: path)
            case .failsClosed:
                if hasValue(value) { out.append(property(path, value, unknown: false)) }
            case nil:
                if hasValue(value) { out.append(property(path, value, unknown: true)) }
            }
        }
        return out
    }

    static func property(_ path: String, _ value: JSONValue, unknown: Bool) -> Secscore_Tenant_V1_PolicyProperty {
        var p = Secscore_Tenant_V1_PolicyProperty()
        p.path = path
        p.value = value.compactText(limit: 200)
        p.unknown = unknown
        return p
    }
}

extension JSONValue {
    /// Compact JSON text, cut to `limit` characters with "…".
    func compactText(limit: Int) -> String {
        var out = ""
        write(into: &out, limit: limit)
        if out.count > limit { return String(out.prefix(limit)) + "…" }
        return out
    }

    private func write(into out: inout String, limit: Int) {
        guard out.count <= limit else { return }
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n): out += n
        case .string(let s): out += "\"" + s + "\""
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                item.write(into: &out, limit: limit)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (i, (key, value)) in members.enumerated() {
                if i > 0 { out += "," }
                out += "\"" + key + "\":"
                value.write(into: &out, limit: limit)
            }
            out += "}"
        }
    }
}
