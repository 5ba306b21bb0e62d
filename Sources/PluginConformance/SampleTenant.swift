import SecScoreWire

/// A small, consistent tenant for requests that a correct plugin must be
/// able to answer with a finding: one Global Administrator covered by
/// security defaults and registered for MFA, a security contact, one
/// customer, no alerts.
enum SampleTenant {
    static let globalAdministrator = "62e90394-69f5-4237-9190-012177145e10"

    /// Every facet in `wanted` present, and no other.
    static func facets(_ wanted: [Secscore_Tenant_V1_Facet]) -> Secscore_Tenant_V1_Facets {
        var facets = Secscore_Tenant_V1_Facets()
        for facet in Set(wanted) {
            switch facet {
            case .partner:
                facets.partner.tenantID = "00000000-0000-4000-8000-000000000001"
                facets.partner.displayName = "Conformance Partner"
                facets.partner.partnerType = .directBill
                facets.partner.commerceExperience = .newCommerce
                facets.partner.onboardedDate = "2024-03-15"
            case .securityContact:
                facets.securityContact.name = "Ada Lovelace"
                facets.securityContact.email = "security@contoso.com"
                facets.securityContact.phone = "+1 425 555 0100"
            case .roleDefinitions:
                var role = Secscore_Tenant_V1_RoleDefinition()
                role.id = globalAdministrator
                role.templateID = globalAdministrator
                role.displayName = "Global Administrator"
                role.isBuiltIn = true
                facets.roleDefinitions.items = [role]
            case .roleAssignments:
                var assignment = Secscore_Tenant_V1_RoleAssignment()
                assignment.id = "assignment-1"
                assignment.principalID = "user-1"
                assignment.roleDefinitionID = globalAdministrator
                assignment.directoryScopeID = "/"
                assignment.principalType = "user"
                assignment.principalDisplayName = "Ada Lovelace"
                assignment.principalUserPrincipalName = "ada@contoso.com"
                facets.roleAssignments.items = [assignment]
            case .roleEligibilities:
                facets.roleEligibilities = Secscore_Tenant_V1_RoleAssignments()
            case .users:
                var user = Secscore_Tenant_V1_User()
                user.id = "user-1"
                user.userPrincipalName = "ada@contoso.com"
                user.displayName = "Ada Lovelace"
                user.userType = "Member"
                user.perUserMfaState = .enforced
                user.creationType = ""
                facets.users.items = [user]
            case .groups:
                facets.groups = Secscore_Tenant_V1_Groups()
            case .registrationDetails:
                var detail = Secscore_Tenant_V1_RegistrationDetail()
                detail.id = "user-1"
                detail.userPrincipalName = "ada@contoso.com"
                detail.userDisplayName = "Ada Lovelace"
                detail.isAdmin = true
                detail.isMfaRegistered = true
                detail.isMfaCapable = true
                detail.methodsRegistered = ["microsoftAuthenticatorPush"]
                facets.registrationDetails.items = [detail]
            case .securityDefaults:
                facets.securityDefaults.isEnabled = true
            case .conditionalAccessPolicies:
                facets.conditionalAccessPolicies = Secscore_Tenant_V1_ConditionalAccessPolicies()
            case .securityAlerts:
                facets.securityAlerts = Secscore_Tenant_V1_SecurityAlerts()
            case .customerMfa:
                var customer = Secscore_Tenant_V1_CustomerMfaStatistics()
                customer.tenantID = "00000000-0000-4000-8000-000000000002"
                customer.displayName = "Alpine Ski House"
                customer.totalAdminsCount = 2
                customer.mfaEnabledAdminsCount = 2
                customer.totalUsersCount = 10
                customer.mfaEnabledNonAdminsCount = 8
                facets.customerMfa.items = [customer]
            case .spendingBudgets:
                var spending = Secscore_Tenant_V1_CustomerSpending()
                spending.customerTenantID = "00000000-0000-4000-8000-000000000002"
                spending.customerName = "Alpine Ski House"
                spending.subscriptionIds = ["sub-1"]
                spending.budget.amount = 1000
                spending.budget.percentUsed = 12.5
                facets.spendingBudgets.items = [spending]
            case .groupEligibilities:
                facets.groupEligibilities = Secscore_Tenant_V1_GroupEligibilities()
            default:
                break  // a facet this suite does not know: nothing to send
            }
        }
        return facets
    }
}
