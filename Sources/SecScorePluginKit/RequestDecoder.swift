public import SecScoreWire
import SwiftProtobuf

/// A REQUEST payload decoded where it lies in the read buffer, without
/// SwiftProtobuf's generic decoder: each string checked as UTF-8 and copied
/// once, straight into the `String` the check reads.
///
/// Written here for a measured need (BENCHMARKS.md, "The request codecs"):
/// with the checks as plugins, the Swift plugins decoding their requests
/// through SwiftProtobuf's visitors, which check UTF-8 a scalar at a time,
/// was about 3% of the CPU of evaluating the 1,000,000-user benchmark
/// tenant, as much as the host spent encoding them.
///
/// Only the plain case is decoded here, as the host writes it: every field
/// known to plugin.proto or tenant.proto with its declared wire type, no
/// singular field twice (protobuf would merge a message or let the last
/// value win), every string valid UTF-8. Anything else gets nil and is
/// decoded by SwiftProtobuf, which decides what it means (keeping unknown
/// fields, merging) and words any error, so what a plugin accepts and
/// refuses never depends on which decoder ran. `RequestDecoderTests` hold
/// the two to the same result on generated requests and corrupted ones.
/// Public only to the benchmarks (`@_spi(Benchmarks)`).
@_spi(Benchmarks) public enum RequestDecoder {
    /// The fields read, by message: what the tests compare with the .proto
    /// files (a field added there is left to SwiftProtobuf, as an unknown
    /// one, until it is read here).
    static let decodedFields = RequestMessageFields.byMessage

    /// The decoded request; nil for anything but the plain case above.
    @_spi(Benchmarks) public static func evaluateRequest(_ payload: UnsafeRawBufferPointer) -> Secscore_Plugin_V1_EvaluateRequest? {
        var m = Secscore_Plugin_V1_EvaluateRequest()
        let read = ProtoReader.fields(of: payload, repeated: { $0 == 5 }) { r, field, wireType in
            switch (field, wireType) {
            case (1, 2): return r.string(into: &m.requirementID)
            case (2, 0):
                // As SwiftProtobuf reads a uint32: the varint cut to 32 bits.
                guard let v = r.varint() else { return false }
                m.deadlineMs = UInt32(truncatingIfNeeded: v)
                return true
            case (3, 2): return readMessage(&r, into: &m.context, evaluationContext)
            case (4, 2): return readMessage(&r, into: &m.facets, facets)
            case (5, 2): return readMessage(&r, appendingTo: &m.parameters, parameter)
            default: return false
            }
        }
        return read ? m : nil
    }

    private static func evaluationContext(_ bytes: UnsafeRawBufferPointer) -> Secscore_Plugin_V1_EvaluationContext? {
        var m = Secscore_Plugin_V1_EvaluationContext()
        let read = ProtoReader.fields(of: bytes) { r, field, wireType in
            switch (field, wireType) {
            case (1, 2): return r.string(into: &m.asOf)
            case (2, 0): return r.int64(into: &m.nowUnixMs)
            case (3, 0): return readEnum(&r, into: &m.partnerType)
            case (4, 2): return r.string(into: &m.edition)
            case (5, 0): return readEnum(&r, into: &m.commerceExperience)
            default: return false
            }
        }
        return read ? m : nil
    }

    private static func parameter(_ bytes: UnsafeRawBufferPointer) -> Secscore_Plugin_V1_Parameter? {
        var m = Secscore_Plugin_V1_Parameter()
        let read = ProtoReader.fields(of: bytes, repeated: { $0 == 2 }) { r, field, wireType in
            switch (field, wireType) {
            case (1, 2): return r.string(into: &m.name)
            case (2, 2): return r.string(appendingTo: &m.values)
            default: return false
            }
        }
        return read ? m : nil
    }

    private static func facets(_ bytes: UnsafeRawBufferPointer) -> Secscore_Tenant_V1_Facets? {
        var m = Secscore_Tenant_V1_Facets()
        let read = ProtoReader.fields(of: bytes) { r, field, wireType in
            guard wireType == 2 else { return false }
            switch field {
            case 1: return readMessage(&r, into: &m.partner, partner)
            case 2: return readMessage(&r, into: &m.securityContact, securityContact)
            case 3: return readMessage(&r, into: &m.roleDefinitions) { b in items(b, roleDefinition).map { i in .with { $0.items = i } } }
            case 4: return readMessage(&r, into: &m.roleAssignments) { b in items(b, roleAssignment).map { i in .with { $0.items = i } } }
            case 5: return readMessage(&r, into: &m.roleEligibilities) { b in items(b, roleAssignment).map { i in .with { $0.items = i } } }
            case 6: return readMessage(&r, into: &m.users) { b in items(b, user).map { i in .with { $0.items = i } } }
            case 7: return readMessage(&r, into: &m.groups) { b in items(b, group).map { i in .with { $0.items = i } } }
            case 8:
                return readMessage(&r, into: &m.registrationDetails) { b in items(b, registrationDetail).map { i in .with { $0.items = i } } }
            case 9: return readMessage(&r, into: &m.securityDefaults, securityDefaults)
            case 10:
                return readMessage(&r, into: &m.conditionalAccessPolicies) { b in
                    items(b, conditionalAccessPolicy).map { i in .with { $0.items = i } }
                }
            case 11: return readMessage(&r, into: &m.securityAlerts) { b in items(b, securityAlert).map { i in .with { $0.items = i } } }
            case 12: return readMessage(&r, into: &m.customerMfa) { b in items(b, customerMfaStatistics).map { i in .with { $0.items = i } } }
            case 13: return readMessage(&r, into: &m.spendingBudgets) { b in items(b, customerSpending).map { i in .with { $0.items = i } } }
            case 14:
                return readMessage(&r, into: &m.groupEligibilities) { b in items(b, groupEligibility).map { i in .with { $0.items = i } } }
            default: return false
            }
        }
        return read ? m : nil
    }

    // Generic helpers stay in this module, where they are specialised
    // (ProtoReader's doc says why).

    /// A length-delimited message decoded by `decode` into `target`; false
    /// when the bytes end early or `decode` gives nil.
    private static func readMessage<M>(_ r: inout ProtoReader, into target: inout M, _ decode: (UnsafeRawBufferPointer) -> M?) -> Bool {
        guard let body = r.bytes(), let m = decode(body) else { return false }
        target = m
        return true
    }

    /// As `readMessage(_:into:_:)`, appended to `list`.
    private static func readMessage<M>(_ r: inout ProtoReader, appendingTo list: inout [M], _ decode: (UnsafeRawBufferPointer) -> M?) -> Bool {
        guard let body = r.bytes(), let m = decode(body) else { return false }
        list.append(m)
        return true
    }

    /// An enum's value as SwiftProtobuf reads it: the varint cut to 32 bits,
    /// sign and all (an open proto3 enum takes any value).
    private static func readEnum<E: SwiftProtobuf.Enum>(_ r: inout ProtoReader, into target: inout E) -> Bool {
        guard let raw = r.enumRawValue(), let e = E(rawValue: raw) else { return false }
        target = e
        return true
    }

    /// A facet's message: its repeated field 1, the items.
    private static func items<Item>(_ bytes: UnsafeRawBufferPointer, _ item: (UnsafeRawBufferPointer) -> Item?) -> [Item]? {
        var items: [Item] = []
        let read = ProtoReader.fields(of: bytes, repeated: { $0 == 1 }) { r, field, wireType in
            field == 1 && wireType == 2 && readMessage(&r, appendingTo: &items, item)
        }
        return read ? items : nil
    }

    private static func partner(_ bytes: UnsafeRawBufferPointer) -> Secscore_Tenant_V1_Partner? {
        var m = Secscore_Tenant_V1_Partner()
        let read = ProtoReader.fields(of: bytes) { r, field, wireType in
            switch (field, wireType) {
            case (1, 2): return r.string(into: &m.tenantID)
            case (2, 2): return r.string(into: &m.displayName)
            case (3, 0): return readEnum(&r, into: &m.partnerType)
            case (4, 0): return readEnum(&r, into: &m.commerceExperience)
            case (5, 2): return r.string(into: &m.onboardedDate)
            default: return false
            }
        }
        return read ? m : nil
    }

    private static func securityContact(_ bytes: UnsafeRawBufferPointer) -> Secscore_Tenant_V1_SecurityContact? {
        var m = Secscore_Tenant_V1_SecurityContact()
        let read = ProtoReader.fields(of: bytes) { r, field, wireType in
            switch (field, wireType) {
            case (1, 2): return r.string(into: &m.name)
            case (2, 2): return r.string(into: &m.email)
            case (3, 2): return r.string(into: &m.phone)
            default: return false
            }
        }
        return read ? m : nil
    }

    private static func securityDefaults(_ bytes: UnsafeRawBufferPointer) -> Secscore_Tenant_V1_SecurityDefaults? {
        var m = Secscore_Tenant_V1_SecurityDefaults()
        let read = ProtoReader.fields(of: bytes) { r, field, wireType in
            field == 1 && wireType == 0 && r.bool(into: &m.isEnabled)
        }
        return read ? m : nil
    }

    private static func roleDefinition(_ bytes: UnsafeRawBufferPointer) -> Secscore_Tenant_V1_RoleDefinition? {
        var m = Secscore_Tenant_V1_RoleDefinition()
        let read = ProtoReader.fields(of: bytes) { r, field, wireType in
            switch (field, wireType) {
            case (1, 2): return r.string(into: &m.id)
            case (2, 2): return r.string(into: &m.displayName)
            case (3, 2): return r.string(into: &m.templateID)
            case (4, 0): return r.bool(into: &m.isBuiltIn)
            default: return false
            }
        }
        return read ? m : nil
    }

    private static func roleAssignment(_ bytes: UnsafeRawBufferPointer) -> Secscore_Tenant_V1_RoleAssignment? {
        var m = Secscore_Tenant_V1_RoleAssignment()
        let read = ProtoReader.fields(of: bytes) { r, field, wireType in
            switch (field, wireType) {
            case (1, 2): return r.string(into: &m.id)
            case (2, 2): return r.string(into: &m.principalID)
            case (3, 2): return r.string(into: &m.roleDefinitionID)
            case (4, 2): return r.string(into: &m.directoryScopeID)
            case (5, 2): return r.string(into: &m.principalType)
            case (6, 2): return r.string(into: &m.principalDisplayName)
            case (7, 2): return r.string(into: &m.principalUserPrincipalName)
            case (8, 0): return r.int64(into: &m.startUnixMs)
            case (9, 0): return r.int64(into: &m.endUnixMs)
            default: return false
            }
        }
        return read ? m : nil
    }

    private static func user(_ bytes: UnsafeRawBufferPointer) -> Secscore_Tenant_V1_User? {
        var m = Secscore_Tenant_V1_User()
        let read = ProtoReader.fields(of: bytes, repeated: { $0 == 9 }) { r, field, wireType in
            switch (field, wireType) {
            case (1, 2): return r.string(into: &m.id)
            case (2, 2): return r.string(into: &m.userPrincipalName)
            case (3, 2): return r.string(into: &m.displayName)
            case (4, 2): return r.string(into: &m.userType)
            case (5, 0): return r.bool(into: &m.accountDisabled)
            case (6, 0): return readEnum(&r, into: &m.perUserMfaState)
            case (7, 2): return r.string(into: &m.externalUserState)
            case (8, 2): return r.string(into: &m.creationType)
            case (9, 2): return r.string(appendingTo: &m.identityIssuers)
            default: return false
            }
        }
        return read ? m : nil
    }

    private static func group(_ bytes: UnsafeRawBufferPointer) -> Secscore_Tenant_V1_Group? {
        var m = Secscore_Tenant_V1_Group()
        let read = ProtoReader.fields(of: bytes, repeated: { $0 == 3 || $0 == 4 }) { r, field, wireType in
            switch (field, wireType) {
            case (1, 2): return r.string(into: &m.id)
            case (2, 2): return r.string(into: &m.displayName)
            case (3, 2): return r.string(appendingTo: &m.memberIds)
            case (4, 2): return r.string(appendingTo: &m.memberGroupIds)
            case (5, 0): return r.bool(into: &m.membersUnknown)
            default: return false
            }
        }
        return read ? m : nil
    }

    private static func groupEligibility(_ bytes: UnsafeRawBufferPointer) -> Secscore_Tenant_V1_GroupEligibility? {
        var m = Secscore_Tenant_V1_GroupEligibility()
        let read = ProtoReader.fields(of: bytes) { r, field, wireType in
            switch (field, wireType) {
            case (1, 2): return r.string(into: &m.id)
            case (2, 2): return r.string(into: &m.groupID)
            case (3, 2): return r.string(into: &m.principalID)
            case (4, 2): return r.string(into: &m.accessID)
            case (5, 2): return r.string(into: &m.principalType)
            case (6, 2): return r.string(into: &m.principalDisplayName)
            case (7, 2): return r.string(into: &m.principalUserPrincipalName)
            case (8, 0): return r.int64(into: &m.startUnixMs)
            case (9, 0): return r.int64(into: &m.endUnixMs)
            default: return false
            }
        }
        return read ? m : nil
    }

    private static func registrationDetail(_ bytes: UnsafeRawBufferPointer) -> Secscore_Tenant_V1_RegistrationDetail? {
        var m = Secscore_Tenant_V1_RegistrationDetail()
        let read = ProtoReader.fields(of: bytes, repeated: { $0 == 7 }) { r, field, wireType in
            switch (field, wireType) {
            case (1, 2): return r.string(into: &m.id)
            case (2, 2): return r.string(into: &m.userPrincipalName)
            case (3, 2): return r.string(into: &m.userDisplayName)
            case (4, 0): return r.bool(into: &m.isAdmin)
            case (5, 0): return r.bool(into: &m.isMfaRegistered)
            case (6, 0): return r.bool(into: &m.isMfaCapable)
            case (7, 2): return r.string(appendingTo: &m.methodsRegistered)
            case (8, 0): return r.bool(into: &m.mfaRegistrationUnknown)
            default: return false
            }
        }
        return read ? m : nil
    }

    /// Fields of ConditionalAccessPolicy that repeat: every list of
    /// strings and the unmodeled properties.
    private static let policyRepeated: Set<UInt64> = Set((4...19).map(UInt64.init)).union([22, 23, 26, 27, 30])

    private static func conditionalAccessPolicy(_ bytes: UnsafeRawBufferPointer) -> Secscore_Tenant_V1_ConditionalAccessPolicy? {
        var m = Secscore_Tenant_V1_ConditionalAccessPolicy()
        let read = ProtoReader.fields(of: bytes, repeated: { policyRepeated.contains($0) }) { r, field, wireType in
            switch (field, wireType) {
            case (1, 2): return r.string(into: &m.id)
            case (2, 2): return r.string(into: &m.displayName)
            case (3, 0): return readEnum(&r, into: &m.state)
            case (4, 2): return r.string(appendingTo: &m.includeUsers)
            case (5, 2): return r.string(appendingTo: &m.excludeUsers)
            case (6, 2): return r.string(appendingTo: &m.includeGroups)
            case (7, 2): return r.string(appendingTo: &m.excludeGroups)
            case (8, 2): return r.string(appendingTo: &m.includeRoles)
            case (9, 2): return r.string(appendingTo: &m.excludeRoles)
            case (10, 2): return r.string(appendingTo: &m.includeApplications)
            case (11, 2): return r.string(appendingTo: &m.excludeApplications)
            case (12, 2): return r.string(appendingTo: &m.includeUserActions)
            case (13, 2): return r.string(appendingTo: &m.userRiskLevels)
            case (14, 2): return r.string(appendingTo: &m.signInRiskLevels)
            case (15, 2): return r.string(appendingTo: &m.clientAppTypes)
            case (16, 2): return r.string(appendingTo: &m.includePlatforms)
            case (17, 2): return r.string(appendingTo: &m.excludePlatforms)
            case (18, 2): return r.string(appendingTo: &m.includeLocations)
            case (19, 2): return r.string(appendingTo: &m.excludeLocations)
            case (20, 0): return r.bool(into: &m.hasDeviceFilter_p)
            case (21, 2): return r.string(into: &m.grantOperator)
            case (22, 2): return r.string(appendingTo: &m.builtInControls)
            case (23, 2): return r.string(appendingTo: &m.customAuthenticationFactors)
            case (24, 2): return readMessage(&r, into: &m.authenticationStrength, authenticationStrength)
            case (25, 0): return r.bool(into: &m.hasGuestsOrExternalUsersCondition_p)
            case (26, 2): return r.string(appendingTo: &m.insiderRiskLevels)
            case (27, 2): return readMessage(&r, appendingTo: &m.unmodeledProperties, policyProperty)
            case (28, 2): return readMessage(&r, into: &m.includeGuestsOrExternalUsers, guestsOrExternalUsers)
            case (29, 2): return readMessage(&r, into: &m.excludeGuestsOrExternalUsers, guestsOrExternalUsers)
            case (30, 2): return r.string(appendingTo: &m.termsOfUse)
            default: return false
            }
        }
        return read ? m : nil
    }

    private static func authenticationStrength(_ bytes: UnsafeRawBufferPointer) -> Secscore_Tenant_V1_AuthenticationStrength? {
        var m = Secscore_Tenant_V1_AuthenticationStrength()
        let read = ProtoReader.fields(of: bytes, repeated: { $0 == 4 }) { r, field, wireType in
            switch (field, wireType) {
            case (1, 2): return r.string(into: &m.id)
            case (2, 2): return r.string(into: &m.displayName)
            case (3, 2): return r.string(into: &m.requirementsSatisfied)
            case (4, 2): return r.string(appendingTo: &m.allowedCombinations)
            default: return false
            }
        }
        return read ? m : nil
    }

    private static func policyProperty(_ bytes: UnsafeRawBufferPointer) -> Secscore_Tenant_V1_PolicyProperty? {
        var m = Secscore_Tenant_V1_PolicyProperty()
        let read = ProtoReader.fields(of: bytes) { r, field, wireType in
            switch (field, wireType) {
            case (1, 2): return r.string(into: &m.path)
            case (2, 2): return r.string(into: &m.value)
            case (3, 0): return r.bool(into: &m.unknown)
            default: return false
            }
        }
        return read ? m : nil
    }

    private static func guestsOrExternalUsers(_ bytes: UnsafeRawBufferPointer) -> Secscore_Tenant_V1_GuestsOrExternalUsers? {
        var m = Secscore_Tenant_V1_GuestsOrExternalUsers()
        let read = ProtoReader.fields(of: bytes, repeated: { $0 == 1 || $0 == 3 }) { r, field, wireType in
            switch (field, wireType) {
            case (1, 2): return r.string(appendingTo: &m.guestOrExternalUserTypes)
            case (2, 2): return r.string(into: &m.externalTenantsMembershipKind)
            case (3, 2): return r.string(appendingTo: &m.externalTenantIds)
            default: return false
            }
        }
        return read ? m : nil
    }

    private static func securityAlert(_ bytes: UnsafeRawBufferPointer) -> Secscore_Tenant_V1_SecurityAlert? {
        var m = Secscore_Tenant_V1_SecurityAlert()
        let read = ProtoReader.fields(of: bytes, repeated: { $0 == 14 }) { r, field, wireType in
            switch (field, wireType) {
            case (1, 2): return r.string(into: &m.id)
            case (2, 2): return r.string(into: &m.displayName)
            case (3, 2): return r.string(into: &m.alertType)
            case (4, 2): return r.string(into: &m.severity)
            case (5, 2): return r.string(into: &m.status)
            case (6, 2): return r.string(into: &m.customerTenantID)
            case (7, 0): return r.int64(into: &m.detectedUnixMs)
            case (8, 0): return r.int64(into: &m.firstObservedUnixMs)
            case (9, 0): return r.int64(into: &m.lastObservedUnixMs)
            case (10, 0): return r.int64(into: &m.resolvedOnUnixMs)
            case (11, 2): return r.string(into: &m.resolvedReason)
            case (12, 2): return r.string(into: &m.resolvedBy)
            case (13, 0): return r.bool(into: &m.isTest)
            case (14, 2): return readMessage(&r, appendingTo: &m.activityLogs, alertActivity)
            default: return false
            }
        }
        return read ? m : nil
    }

    private static func alertActivity(_ bytes: UnsafeRawBufferPointer) -> Secscore_Tenant_V1_AlertActivity? {
        var m = Secscore_Tenant_V1_AlertActivity()
        let read = ProtoReader.fields(of: bytes) { r, field, wireType in
            switch (field, wireType) {
            case (1, 2): return r.string(into: &m.statusFrom)
            case (2, 2): return r.string(into: &m.statusTo)
            case (3, 2): return r.string(into: &m.updatedBy)
            case (4, 0): return r.int64(into: &m.updatedUnixMs)
            default: return false
            }
        }
        return read ? m : nil
    }

    private static func customerMfaStatistics(_ bytes: UnsafeRawBufferPointer) -> Secscore_Tenant_V1_CustomerMfaStatistics? {
        var m = Secscore_Tenant_V1_CustomerMfaStatistics()
        let read = ProtoReader.fields(of: bytes) { r, field, wireType in
            switch (field, wireType) {
            case (1, 2): return r.string(into: &m.tenantID)
            case (2, 2): return r.string(into: &m.displayName)
            case (3, 0): return r.int64(into: &m.totalAdminsCount)
            case (4, 0): return r.int64(into: &m.mfaEnabledAdminsCount)
            case (5, 0): return r.int64(into: &m.mfaEnabledNonAdminsCount)
            case (6, 0): return r.int64(into: &m.totalUsersCount)
            default: return false
            }
        }
        return read ? m : nil
    }

    private static func customerSpending(_ bytes: UnsafeRawBufferPointer) -> Secscore_Tenant_V1_CustomerSpending? {
        var m = Secscore_Tenant_V1_CustomerSpending()
        let read = ProtoReader.fields(of: bytes, repeated: { $0 == 3 }) { r, field, wireType in
            switch (field, wireType) {
            case (1, 2): return r.string(into: &m.customerTenantID)
            case (2, 2): return r.string(into: &m.customerName)
            case (3, 2): return r.string(appendingTo: &m.subscriptionIds)
            case (4, 2): return readMessage(&r, into: &m.budget, budget)
            case (5, 0): return r.bool(into: &m.subscriptionIdsUnknown)
            default: return false
            }
        }
        return read ? m : nil
    }

    private static func budget(_ bytes: UnsafeRawBufferPointer) -> Secscore_Tenant_V1_Budget? {
        var m = Secscore_Tenant_V1_Budget()
        let read = ProtoReader.fields(of: bytes) { r, field, wireType in
            switch (field, wireType) {
            case (1, 1): return r.double(into: &m.amount)
            case (2, 1): return r.double(into: &m.percentUsed)
            default: return false
            }
        }
        return read ? m : nil
    }
}
