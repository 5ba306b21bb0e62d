public import SecScoreWire
import SwiftProtobuf

/// EVALUATE REQUESTs of every awkward shape, each field of every message
/// set now and then, for tests that hold the host's request encoder to
/// SwiftProtobuf's bytes.
public struct RequestGenerator {
    /// Strings and the random source, shared with the finding generator.
    public var values: FindingGenerator

    public init(state: UInt64) { values = FindingGenerator(state: state) }

    private mutating func chance() -> Bool { values.next(2) == 0 }
    private mutating func string() -> String { values.string() }
    private mutating func strings() -> [String] { values.strings() }
    private mutating func bool() -> Bool { values.next(2) == 1 }

    /// 0, each side of the varint steps, negatives (ten bytes), the extremes.
    private mutating func int64() -> Int64 {
        let picks: [Int64] = [0, 1, -1, 127, 128, 16_383, 16_384, 1_764_547_200_000, Int64.max, Int64.min, -1_764_547_200_000]
        return picks[values.next(picks.count)]
    }

    /// Known values, 0 and unrecognised ones (negative too).
    private mutating func enumRaw() -> Int {
        let picks = [0, 1, 2, 3, 4, 99, -1, Int(Int32.max), Int(Int32.min)]
        return picks[values.next(picks.count)]
    }

    /// 0, -0.0 (written: its bits are not 0), NaN, infinity, ordinary values.
    private mutating func double() -> Double {
        let picks: [Double] = [0, -0.0, .nan, .infinity, 1.5, 123_456.789, -2, .leastNonzeroMagnitude]
        return picks[values.next(picks.count)]
    }

    private mutating func items<T>(_ make: (inout RequestGenerator) -> T) -> [T] {
        (0..<values.next(4)).map { _ in make(&self) }
    }

    public mutating func request() -> Secscore_Plugin_V1_EvaluateRequest {
        var r = Secscore_Plugin_V1_EvaluateRequest()
        r.requirementID = string()
        let deadlines: [UInt32] = [0, 1, 127, 128, 30_000, UInt32.max]
        r.deadlineMs = deadlines[values.next(deadlines.count)]
        if chance() {
            r.context = .with {
                $0.asOf = string()
                $0.nowUnixMs = int64()
                $0.partnerType = .init(rawValue: enumRaw())!
                $0.edition = string()
                $0.commerceExperience = .init(rawValue: enumRaw())!
            }
        }
        if values.next(4) != 0 { r.facets = facets() }
        r.parameters = items { g in .with { $0.name = g.string(); $0.values = g.strings() } }
        return r
    }

    public mutating func facets() -> Secscore_Tenant_V1_Facets {
        var f = Secscore_Tenant_V1_Facets()
        if chance() {
            f.partner = .with {
                $0.tenantID = string()
                $0.displayName = string()
                $0.partnerType = .init(rawValue: enumRaw())!
                $0.commerceExperience = .init(rawValue: enumRaw())!
                $0.onboardedDate = string()
            }
        }
        if chance() { f.securityContact = .with { $0.name = string(); $0.email = string(); $0.phone = string() } }
        if chance() {
            f.roleDefinitions.items = items { g in
                .with { $0.id = g.string(); $0.displayName = g.string(); $0.templateID = g.string(); $0.isBuiltIn = g.bool() }
            }
        }
        if chance() { f.roleAssignments.items = items { $0.roleAssignment() } }
        if chance() { f.roleEligibilities.items = items { $0.roleAssignment() } }
        if chance() { f.users.items = items { $0.user() } }
        if chance() {
            f.groups.items = items { g in
                .with {
                    $0.id = g.string(); $0.displayName = g.string(); $0.memberIds = g.strings()
                    $0.memberGroupIds = g.strings(); $0.membersUnknown = g.bool()
                }
            }
        }
        if chance() { f.registrationDetails.items = items { $0.registrationDetail() } }
        if chance() { f.securityDefaults.isEnabled = bool() }
        if chance() { f.conditionalAccessPolicies.items = items { $0.conditionalAccessPolicy() } }
        if chance() { f.securityAlerts.items = items { $0.securityAlert() } }
        if chance() {
            f.customerMfa.items = items { g in
                .with {
                    $0.tenantID = g.string(); $0.displayName = g.string(); $0.totalAdminsCount = g.int64()
                    $0.mfaEnabledAdminsCount = g.int64(); $0.mfaEnabledNonAdminsCount = g.int64(); $0.totalUsersCount = g.int64()
                }
            }
        }
        if chance() {
            f.spendingBudgets.items = items { g in
                var s = Secscore_Tenant_V1_CustomerSpending()
                s.customerTenantID = g.string()
                s.customerName = g.string()
                s.subscriptionIds = g.strings()
                if g.chance() { s.budget = .with { $0.amount = g.double(); $0.percentUsed = g.double() } }
                s.subscriptionIdsUnknown = g.bool()
                return s
            }
        }
        if chance() { f.groupEligibilities.items = items { $0.groupEligibility() } }
        return f
    }

    private mutating func roleAssignment() -> Secscore_Tenant_V1_RoleAssignment {
        .with {
            $0.id = string(); $0.principalID = string(); $0.roleDefinitionID = string(); $0.directoryScopeID = string()
            $0.principalType = string(); $0.principalDisplayName = string(); $0.principalUserPrincipalName = string()
            $0.startUnixMs = int64(); $0.endUnixMs = int64()
        }
    }

    private mutating func user() -> Secscore_Tenant_V1_User {
        .with {
            $0.id = string(); $0.userPrincipalName = string(); $0.displayName = string(); $0.userType = string()
            $0.accountDisabled = bool(); $0.perUserMfaState = .init(rawValue: enumRaw())!
            $0.externalUserState = string(); $0.creationType = string(); $0.identityIssuers = strings()
        }
    }

    private mutating func groupEligibility() -> Secscore_Tenant_V1_GroupEligibility {
        .with {
            $0.id = string(); $0.groupID = string(); $0.principalID = string(); $0.accessID = string()
            $0.principalType = string(); $0.principalDisplayName = string(); $0.principalUserPrincipalName = string()
            $0.startUnixMs = int64(); $0.endUnixMs = int64()
        }
    }

    private mutating func registrationDetail() -> Secscore_Tenant_V1_RegistrationDetail {
        .with {
            $0.id = string(); $0.userPrincipalName = string(); $0.userDisplayName = string(); $0.isAdmin = bool()
            $0.isMfaRegistered = bool(); $0.isMfaCapable = bool(); $0.methodsRegistered = strings()
            $0.mfaRegistrationUnknown = bool()
        }
    }

    private mutating func guestsOrExternalUsers() -> Secscore_Tenant_V1_GuestsOrExternalUsers {
        .with {
            $0.guestOrExternalUserTypes = strings(); $0.externalTenantsMembershipKind = string(); $0.externalTenantIds = strings()
        }
    }

    private mutating func conditionalAccessPolicy() -> Secscore_Tenant_V1_ConditionalAccessPolicy {
        var p = Secscore_Tenant_V1_ConditionalAccessPolicy()
        p.id = string()
        p.displayName = string()
        p.state = .init(rawValue: enumRaw())!
        p.includeUsers = strings(); p.excludeUsers = strings(); p.includeGroups = strings(); p.excludeGroups = strings()
        p.includeRoles = strings(); p.excludeRoles = strings(); p.includeApplications = strings(); p.excludeApplications = strings()
        p.includeUserActions = strings(); p.userRiskLevels = strings(); p.signInRiskLevels = strings(); p.clientAppTypes = strings()
        p.includePlatforms = strings(); p.excludePlatforms = strings(); p.includeLocations = strings(); p.excludeLocations = strings()
        p.hasDeviceFilter_p = bool()
        p.grantOperator = string()
        p.builtInControls = strings()
        p.customAuthenticationFactors = strings()
        if chance() {
            p.authenticationStrength = .with {
                $0.id = string(); $0.displayName = string(); $0.requirementsSatisfied = string(); $0.allowedCombinations = strings()
            }
        }
        p.hasGuestsOrExternalUsersCondition_p = bool()
        p.insiderRiskLevels = strings()
        p.unmodeledProperties = items { g in .with { $0.path = g.string(); $0.value = g.string(); $0.unknown = g.bool() } }
        if chance() { p.includeGuestsOrExternalUsers = guestsOrExternalUsers() }
        if chance() { p.excludeGuestsOrExternalUsers = guestsOrExternalUsers() }
        p.termsOfUse = strings()
        return p
    }

    private mutating func securityAlert() -> Secscore_Tenant_V1_SecurityAlert {
        .with {
            $0.id = string(); $0.displayName = string(); $0.alertType = string(); $0.severity = string(); $0.status = string()
            $0.customerTenantID = string(); $0.detectedUnixMs = int64(); $0.firstObservedUnixMs = int64()
            $0.lastObservedUnixMs = int64(); $0.resolvedOnUnixMs = int64(); $0.resolvedReason = string()
            $0.resolvedBy = string(); $0.isTest = bool()
            $0.activityLogs = items { g in
                .with { $0.statusFrom = g.string(); $0.statusTo = g.string(); $0.updatedBy = g.string(); $0.updatedUnixMs = g.int64() }
            }
        }
    }
}
