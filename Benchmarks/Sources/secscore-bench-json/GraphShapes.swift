// The snapshot files as Codable structs of the same shape, holding the
// fields secscore's decoders read: what a Foundation-based loader would
// decode into. Dates stay text and nothing is validated beyond JSON types
// (secscore's loader also parses dates, checks ids and enumerations, and
// builds protobuf messages), so Foundation's figures are a lower bound.
import Foundation

struct GraphCollection<Item: Decodable>: Decodable {
    var value: [Item]
}

struct PartnerShape: Decodable {
    var tenantId, displayName, partnerType, commerceExperience, onboardedDate: String?
}

struct SecurityContactShape: Decodable {
    var name, email, phone: String?
}

struct RoleDefinitionShape: Decodable {
    var id: String
    var displayName, templateId: String?
    var isBuiltIn: Bool?
}

struct PrincipalShape: Decodable {
    var odataType: String?
    var displayName, userPrincipalName: String?
    enum CodingKeys: String, CodingKey {
        case odataType = "@odata.type", displayName, userPrincipalName
    }
}

struct ScheduleShape: Decodable {
    struct Expiration: Decodable { var endDateTime: String? }
    var startDateTime: String?
    var expiration: Expiration?
}

struct RoleAssignmentShape: Decodable {
    var id: String?
    var principalId, roleDefinitionId: String
    var directoryScopeId: String?
    var principal: PrincipalShape?
    var scheduleInfo: ScheduleShape?
}

struct UserShape: Decodable {
    struct Identity: Decodable { var issuer: String? }
    var id: String
    var userPrincipalName, displayName, userType, perUserMfaState, externalUserState, creationType: String?
    var accountEnabled: Bool?
    var identities: [Identity]?
}

struct GroupShape: Decodable {
    struct Member: Decodable {
        var id: String
        var odataType: String?
        enum CodingKeys: String, CodingKey { case id, odataType = "@odata.type" }
    }
    var id: String
    var displayName: String?
    var members, transitiveMembers: [Member]?
}

struct RegistrationShape: Decodable {
    var id: String
    var userPrincipalName, userDisplayName: String?
    var isAdmin, isMfaRegistered, isMfaCapable: Bool?
    var methodsRegistered: [String]?
}

struct SecurityDefaultsShape: Decodable {
    var isEnabled: Bool
}

struct PolicyShape: Decodable {
    struct Conditions: Decodable {
        struct Users: Decodable {
            var includeUsers, excludeUsers, includeGroups, excludeGroups, includeRoles, excludeRoles: [String]?
        }
        struct Applications: Decodable {
            var includeApplications, excludeApplications, includeUserActions: [String]?
        }
        var users: Users?
        var applications: Applications?
        var clientAppTypes, signInRiskLevels, userRiskLevels: [String]?
    }
    struct Grant: Decodable {
        struct Strength: Decodable {
            var id, displayName, requirementsSatisfied: String?
            var allowedCombinations: [String]?
        }
        var `operator`: String?
        var builtInControls, customAuthenticationFactors, termsOfUse: [String]?
        var authenticationStrength: Strength?
    }
    var id: String
    var displayName, state: String?
    var conditions: Conditions?
    var grantControls: Grant?
}

struct AlertShape: Decodable {
    struct Activity: Decodable {
        var statusFrom, statusTo, updatedBy, updatedDateTime: String?
    }
    var id: String
    var displayName, alertType, severity, status, customerTenantId: String?
    var detectedDateTime, firstObservedDateTime, lastObservedDateTime, resolvedOnDateTime: String?
    var resolvedReason, resolvedBy: String?
    var isTest: Bool?
    var activityLogs: [Activity]?
}

struct CustomerMfaShape: Decodable {
    var tenantId: String
    var displayName: String?
    var totalAdminsCount, mfaEnabledAdminsCount, mfaEnabledNonAdminsCount, totalUsersCount: Int64?
}

struct SpendingShape: Decodable {
    struct Budget: Decodable { var amount, percentUsed: Double? }
    var customerTenantId: String
    var customerName: String?
    var subscriptionIds: [String]?
    var budget: Budget?
    var percentUsed: Double?
}

/// Every file of a snapshot, decoded by Foundation's `JSONDecoder`.
struct FoundationSnapshot {
    var partner: PartnerShape?
    var securityContact: SecurityContactShape?
    var roleDefinitions: [RoleDefinitionShape]?
    var roleAssignments, roleEligibilities: [RoleAssignmentShape]?
    var users: [UserShape]?
    var groups: [GroupShape]?
    var registrations: [RegistrationShape]?
    var securityDefaults: SecurityDefaultsShape?
    var policies: [PolicyShape]?
    var alerts: [AlertShape]?
    var customerMfa: [CustomerMfaShape]?
    var spending: [SpendingShape]?

    /// Item counts, to check that both loaders read the same snapshot.
    var counts: [Int] {
        [roleDefinitions?.count ?? 0, users?.count ?? 0, registrations?.count ?? 0, policies?.count ?? 0,
         alerts?.count ?? 0, customerMfa?.count ?? 0, spending?.count ?? 0]
    }

    static func load(directory: String) throws -> FoundationSnapshot {
        let decoder = JSONDecoder()
        func read<T: Decodable>(_ name: String, as type: T.Type) throws -> T? {
            guard let data = FileManager.default.contents(atPath: directory + "/" + name) else { return nil }
            return try decoder.decode(T.self, from: data)
        }
        var s = FoundationSnapshot()
        s.partner = try read("partner.json", as: PartnerShape.self)
        s.securityContact = try read("securityContact.json", as: SecurityContactShape.self)
        s.roleDefinitions = try read("roleDefinitions.json", as: GraphCollection<RoleDefinitionShape>.self)?.value
        s.roleAssignments = try read("roleAssignments.json", as: GraphCollection<RoleAssignmentShape>.self)?.value
        s.roleEligibilities = try read("roleEligibilitySchedules.json", as: GraphCollection<RoleAssignmentShape>.self)?.value
        s.users = try read("users.json", as: GraphCollection<UserShape>.self)?.value
        s.groups = try read("groups.json", as: GraphCollection<GroupShape>.self)?.value
        s.registrations = try read("userRegistrationDetails.json", as: GraphCollection<RegistrationShape>.self)?.value
        s.securityDefaults = try read("securityDefaults.json", as: SecurityDefaultsShape.self)
        s.policies = try read("conditionalAccessPolicies.json", as: GraphCollection<PolicyShape>.self)?.value
        s.alerts = try read("securityAlerts.json", as: GraphCollection<AlertShape>.self)?.value
        s.customerMfa = try read("customerMfa.json", as: GraphCollection<CustomerMfaShape>.self)?.value
        s.spending = try read("spendingBudgets.json", as: GraphCollection<SpendingShape>.self)?.value
        return s
    }
}

/// The catalog file's shape (docs/catalog-schema.json).
struct CatalogShape: Decodable {
    struct Edition: Decodable {
        var id, title, effectiveDate: String
        var requirementTypes: Bool
        var requirements: [Requirement]
    }
    struct Requirement: Decodable {
        var id, title, description: String
        var type: String?
        var maxPoints: Int
        var applicablePartnerTypes: [String]
        var effectiveDate, state, instructionsUrl, actionUrl: String
        var parameters: [String: [String]]?
        var rules: [String]?
    }
    var schemaVersion: Int
    var editions: [Edition]
}
