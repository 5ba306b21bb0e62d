import Foundation

/// Every call collect makes: where, with which permission and licence,
/// into which snapshot file, under which throttling limit. The README and
/// docs/COLLECT.md list the same table.
package struct CallSpec: Sendable, Hashable {
    package enum Service: String, Sendable { case graph, partnerCenter }
    /// Name in collection.json and in messages (`roleEligibilitySchedules`).
    package let name: String
    package let service: Service
    /// Path after the service root, with placeholders (`{id}`).
    package let path: String
    /// The least-privileged application permission that reads it.
    package let permission: String
    /// The licence it needs beyond Microsoft 365, if any.
    package let licence: String?
    /// The snapshot file it feeds.
    package let file: String?
    package let limit: ThrottleLimit
    /// Graph identity resource units per request (throttling-limits page:
    /// base cost, -1 with $select, +1 with $expand, never below 1).
    package let units: Int
    /// A 400/403 that says the licence is missing means "none in use":
    /// the file is written empty (PIM without Entra ID P2).
    package var emptyWithoutLicence: Bool { name == "roleEligibilitySchedules" || name == "groupEligibilitySchedules" }

    package static let roleDefinitions = CallSpec(
        name: "roleDefinitions", service: .graph, path: "/v1.0/roleManagement/directory/roleDefinitions",
        permission: "RoleManagement.Read.Directory", licence: nil, file: "roleDefinitions.json", limit: .directory, units: 1)
    package static let roleAssignments = CallSpec(
        name: "roleAssignments", service: .graph, path: "/v1.0/roleManagement/directory/roleAssignments?$expand=principal",
        permission: "RoleManagement.Read.Directory", licence: nil, file: "roleAssignments.json", limit: .directory, units: 2)
    package static let roleEligibilitySchedules = CallSpec(
        name: "roleEligibilitySchedules", service: .graph, path: "/v1.0/roleManagement/directory/roleEligibilitySchedules?$expand=principal",
        permission: "RoleEligibilitySchedule.Read.Directory", licence: "Microsoft Entra ID P2", file: "roleEligibilitySchedules.json",
        limit: .directory, units: 2)
    package static let users = CallSpec(
        name: "users", service: .graph,
        path: "/v1.0/users?$select=id,userPrincipalName,displayName,accountEnabled,userType,externalUserState,creationType,identities&$top=999",
        permission: "User.Read.All", licence: nil, file: "users.json", limit: .directory, units: 1)
    package static let group = CallSpec(
        name: "groups", service: .graph, path: "/v1.0/groups/{id}?$select=id,displayName",
        permission: "GroupMember.Read.All", licence: nil, file: "groups.json", limit: .directory, units: 1)
    package static let groupMembers = CallSpec(
        name: "groupTransitiveMembers", service: .graph, path: "/v1.0/groups/{id}/transitiveMembers?$select=id&$top=999",
        permission: "GroupMember.Read.All", licence: nil, file: "groups.json", limit: .directory, units: 4)
    package static let groupEligibilitySchedules = CallSpec(
        name: "groupEligibilitySchedules", service: .graph,
        path: "/v1.0/identityGovernance/privilegedAccess/group/eligibilitySchedules?$filter=groupId%20eq%20'{id}'&$expand=principal",
        permission: "PrivilegedEligibilitySchedule.Read.AzureADGroup", licence: "Microsoft Entra ID P2",
        file: "groupEligibilitySchedules.json", limit: .directory, units: 2)
    package static let perUserMfa = CallSpec(
        name: "perUserMfa", service: .graph, path: "/beta/users/{id}/authentication/requirements",
        permission: "UserAuthenticationMethod.Read.All", licence: nil, file: "perUserMfa.json", limit: .directory, units: 1)
    package static let userRegistrationDetails = CallSpec(
        name: "userRegistrationDetails", service: .graph, path: "/v1.0/reports/authenticationMethods/userRegistrationDetails",
        permission: "AuditLog.Read.All", licence: "Microsoft Entra ID P1", file: "userRegistrationDetails.json", limit: .reports, units: 1)
    package static let securityDefaults = CallSpec(
        name: "securityDefaults", service: .graph, path: "/v1.0/policies/identitySecurityDefaultsEnforcementPolicy",
        permission: "Policy.Read.All", licence: nil, file: "securityDefaults.json", limit: .directory, units: 1)
    package static let conditionalAccessPolicies = CallSpec(
        name: "conditionalAccessPolicies", service: .graph, path: "/v1.0/identity/conditionalAccess/policies",
        permission: "Policy.Read.All", licence: "Microsoft Entra ID P1", file: "conditionalAccessPolicies.json",
        limit: .conditionalAccess, units: 1)
    package static let authenticationStrengthPolicies = CallSpec(
        name: "authenticationStrengthPolicies", service: .graph, path: "/v1.0/policies/authenticationStrengthPolicies",
        permission: "Policy.Read.All", licence: "Microsoft Entra ID P1", file: "conditionalAccessPolicies.json",
        limit: .conditionalAccess, units: 1)
    package static let securityAlerts = CallSpec(
        name: "securityAlerts", service: .graph, path: "/beta/security/partner/securityAlerts",
        permission: "PartnerSecurity.Read.All", licence: nil, file: "securityAlerts.json", limit: .partnerSecurity, units: 1)
    package static let securityScore = CallSpec(
        name: "securityScore", service: .graph, path: "/beta/security/partner/securityScore",
        permission: "PartnerSecurity.Read.All", licence: nil, file: nil, limit: .partnerSecurity, units: 1)
    package static let securityRequirements = CallSpec(
        name: "securityScoreRequirements", service: .graph, path: "/beta/security/partner/securityScore/requirements",
        permission: "PartnerSecurity.Read.All", licence: nil, file: "securityContact.json", limit: .partnerSecurity, units: 1)
    package static let securityHistory = CallSpec(
        name: "securityScoreHistory", service: .graph, path: "/beta/security/partner/securityScore/history",
        permission: "PartnerSecurity.Read.All", licence: nil, file: nil, limit: .partnerSecurity, units: 1)
    package static let customerInsights = CallSpec(
        name: "customerInsights", service: .graph, path: "/beta/security/partner/securityScore/customerInsights",
        permission: "PartnerSecurity.Read.All", licence: nil, file: "customerMfa.json", limit: .partnerSecurity, units: 1)
    package static let customers = CallSpec(
        name: "customers", service: .partnerCenter, path: "/v1/customers?size=500",
        permission: "Partner Center user_impersonation (app+user) or an app registered in Partner Center",
        licence: nil, file: "spendingBudgets.json", limit: .partnerCenter, units: 1)
    package static let subscriptions = CallSpec(
        name: "subscriptions", service: .partnerCenter, path: "/v1/customers/{id}/subscriptions",
        permission: "Partner Center user_impersonation (app+user)", licence: nil, file: "spendingBudgets.json",
        limit: .partnerCenter, units: 1)
    package static let usageBudget = CallSpec(
        name: "usagebudget", service: .partnerCenter, path: "/v1/customers/{id}/usagebudget",
        permission: "Partner Center user_impersonation (app+user)", licence: nil, file: "spendingBudgets.json",
        limit: .partnerCenter, units: 1)

    /// Every call, in the order docs/COLLECT.md lists them.
    package static let all: [CallSpec] = [
        roleDefinitions, roleAssignments, roleEligibilitySchedules, users, group, groupMembers, groupEligibilitySchedules,
        perUserMfa, userRegistrationDetails, securityDefaults, conditionalAccessPolicies, authenticationStrengthPolicies,
        securityAlerts, securityScore, securityRequirements, securityHistory, customerInsights, customers, subscriptions, usageBudget,
    ]

    /// `path` with `{id}` replaced.
    package func path(id: String) -> String { path.replacingOccurrences(of: "{id}", with: id) }

    /// Why a failed call leaves its file out, naming what to grant or buy.
    package func reason(for error: CollectError) -> String {
        guard let status = error.status else { return "\(error.code) on \(name): \(error.description)" }
        switch status {
        case 403:
            return "403 on \(name): grant \(permission)" + (licence.map { " (and it needs \($0))" } ?? "")
        case 400 where licence != nil:
            return "400 on \(name): \(error.description); this call needs \(licence!) and \(permission)"
        case 401:
            return "401 on \(name): the token was refused; check the app's admin consent for \(permission) and the tenant"
        case 404:
            return "404 on \(name): \(error.description)"
        case 429, 503, 504:
            return "throttled on \(name): \(error.description)"
        default:
            return "\(status) on \(name): \(error.description)"
        }
    }
}
