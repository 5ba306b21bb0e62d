import FoundationEssentials
public import SecScoreWire
import SwiftProtobuf

/// An `EvaluateRequest` in protobuf's binary encoding, written without
/// SwiftProtobuf's generic visitors: the same bytes as `serializedBytes()`
/// (fields in number order, proto3 defaults left out, unknown fields last,
/// as SwiftProtobuf writes them).
///
/// Written here for a measured need (BENCHMARKS.md, "The host's request
/// encoder"): SwiftProtobuf sizes a nested message each time an enclosing
/// message is sized, so each user of a 1,000,000-user request was walked
/// four times before it was written once, and its buffer was zero-filled
/// before being written. Here one pass records every nested message's size
/// in order and a second writes into uninitialised memory, both from one
/// list of fields per message (`Sink`), so sizing and writing cannot
/// disagree.
///
/// `RequestEncoderTests` compare the bytes with SwiftProtobuf's over
/// generated requests that set every field of plugin.proto's and
/// tenant.proto's request messages, and hold `encodedFields` to those
/// files, so a field added there fails the tests until it is written here.
///
/// Public only to the benchmarks (`@_spi(Benchmarks)`), which measure it
/// against SwiftProtobuf side by side.
///
/// One difference is on purpose: a request of 2 GiB or more, which
/// SwiftProtobuf refuses to encode, is encoded here; the caller then
/// refuses it by its size against the plugin's message limit, naming both.
@_spi(Benchmarks) public enum RequestEncoder {
    /// The fields written, by message: what the tests compare with the
    /// .proto files (the same table the Swift SDK's decoder reads by).
    static let encodedFields = RequestMessageFields.byMessage

    /// The encoded request.
    @_spi(Benchmarks) public static func encode(_ request: Secscore_Plugin_V1_EvaluateRequest) -> [UInt8] {
        var sizer = Sizer()
        evaluateRequest(request, &sizer)
        let total = sizer.total
        guard total > 0 else { return [] }
        return sizer.sizes.withUnsafeBufferPointer { sizes in
            [UInt8](unsafeUninitializedCapacity: total) { buffer, count in
                var writer = Writer(base: buffer.baseAddress!, sizes: sizes.baseAddress!)
                evaluateRequest(request, &writer)
                count = writer.offset
                precondition(count == total && writer.next == sizes.count,
                             "RequestEncoder sized \(total) bytes and wrote \(count)")
            }
        }
    }

    // MARK: The fields of each message, in number order.

    private static func evaluateRequest<S: Sink>(_ m: Secscore_Plugin_V1_EvaluateRequest, _ s: inout S) {
        s.string(1, m.requirementID)
        s.varint(2, UInt64(m.deadlineMs))
        if m.hasContext { s.message(3) { evaluationContext(m.context, &$0) } }
        if m.hasFacets { s.message(4) { facets(m.facets, &$0) } }
        for p in m.parameters {
            s.message(5) {
                $0.string(1, p.name)
                $0.strings(2, p.values)
                $0.unknown(p.unknownFields)
            }
        }
        s.unknown(m.unknownFields)
    }

    private static func evaluationContext<S: Sink>(_ m: Secscore_Plugin_V1_EvaluationContext, _ s: inout S) {
        s.string(1, m.asOf)
        s.int64(2, m.nowUnixMs)
        s.enumeration(3, m.partnerType.rawValue)
        s.string(4, m.edition)
        s.enumeration(5, m.commerceExperience.rawValue)
        s.unknown(m.unknownFields)
    }

    private static func facets<S: Sink>(_ m: Secscore_Tenant_V1_Facets, _ s: inout S) {
        if m.hasPartner { s.message(1) { partner(m.partner, &$0) } }
        if m.hasSecurityContact {
            let c = m.securityContact
            s.message(2) {
                $0.string(1, c.name)
                $0.string(2, c.email)
                $0.string(3, c.phone)
                $0.unknown(c.unknownFields)
            }
        }
        if m.hasRoleDefinitions { s.message(3) { list(m.roleDefinitions.items, m.roleDefinitions.unknownFields, &$0, roleDefinition) } }
        if m.hasRoleAssignments { s.message(4) { list(m.roleAssignments.items, m.roleAssignments.unknownFields, &$0, roleAssignment) } }
        if m.hasRoleEligibilities {
            s.message(5) { list(m.roleEligibilities.items, m.roleEligibilities.unknownFields, &$0, roleAssignment) }
        }
        if m.hasUsers { s.message(6) { list(m.users.items, m.users.unknownFields, &$0, user) } }
        if m.hasGroups { s.message(7) { list(m.groups.items, m.groups.unknownFields, &$0, group) } }
        if m.hasRegistrationDetails {
            s.message(8) { list(m.registrationDetails.items, m.registrationDetails.unknownFields, &$0, registrationDetail) }
        }
        if m.hasSecurityDefaults {
            let d = m.securityDefaults
            s.message(9) {
                $0.bool(1, d.isEnabled)
                $0.unknown(d.unknownFields)
            }
        }
        if m.hasConditionalAccessPolicies {
            s.message(10) {
                list(m.conditionalAccessPolicies.items, m.conditionalAccessPolicies.unknownFields, &$0, conditionalAccessPolicy)
            }
        }
        if m.hasSecurityAlerts { s.message(11) { list(m.securityAlerts.items, m.securityAlerts.unknownFields, &$0, securityAlert) } }
        if m.hasCustomerMfa { s.message(12) { list(m.customerMfa.items, m.customerMfa.unknownFields, &$0, customerMfaStatistics) } }
        if m.hasSpendingBudgets {
            s.message(13) { list(m.spendingBudgets.items, m.spendingBudgets.unknownFields, &$0, customerSpending) }
        }
        if m.hasGroupEligibilities {
            s.message(14) { list(m.groupEligibilities.items, m.groupEligibilities.unknownFields, &$0, groupEligibility) }
        }
        s.unknown(m.unknownFields)
    }

    /// A facet's message: its items (field 1), then its unknown fields.
    private static func list<S: Sink, Item>(
        _ items: [Item], _ unknown: UnknownStorage, _ s: inout S, _ item: (Item, inout S) -> Void
    ) {
        for i in items { s.message(1) { item(i, &$0) } }
        s.unknown(unknown)
    }

    private static func partner<S: Sink>(_ m: Secscore_Tenant_V1_Partner, _ s: inout S) {
        s.string(1, m.tenantID)
        s.string(2, m.displayName)
        s.enumeration(3, m.partnerType.rawValue)
        s.enumeration(4, m.commerceExperience.rawValue)
        s.string(5, m.onboardedDate)
        s.unknown(m.unknownFields)
    }

    private static func roleDefinition<S: Sink>(_ m: Secscore_Tenant_V1_RoleDefinition, _ s: inout S) {
        s.string(1, m.id)
        s.string(2, m.displayName)
        s.string(3, m.templateID)
        s.bool(4, m.isBuiltIn)
        s.unknown(m.unknownFields)
    }

    private static func roleAssignment<S: Sink>(_ m: Secscore_Tenant_V1_RoleAssignment, _ s: inout S) {
        s.string(1, m.id)
        s.string(2, m.principalID)
        s.string(3, m.roleDefinitionID)
        s.string(4, m.directoryScopeID)
        s.string(5, m.principalType)
        s.string(6, m.principalDisplayName)
        s.string(7, m.principalUserPrincipalName)
        s.int64(8, m.startUnixMs)
        s.int64(9, m.endUnixMs)
        s.unknown(m.unknownFields)
    }

    private static func user<S: Sink>(_ m: Secscore_Tenant_V1_User, _ s: inout S) {
        s.string(1, m.id)
        s.string(2, m.userPrincipalName)
        s.string(3, m.displayName)
        s.string(4, m.userType)
        s.bool(5, m.accountDisabled)
        s.enumeration(6, m.perUserMfaState.rawValue)
        s.string(7, m.externalUserState)
        s.string(8, m.creationType)
        s.strings(9, m.identityIssuers)
        s.unknown(m.unknownFields)
    }

    private static func group<S: Sink>(_ m: Secscore_Tenant_V1_Group, _ s: inout S) {
        s.string(1, m.id)
        s.string(2, m.displayName)
        s.strings(3, m.memberIds)
        s.strings(4, m.memberGroupIds)
        s.bool(5, m.membersUnknown)
        s.unknown(m.unknownFields)
    }

    private static func groupEligibility<S: Sink>(_ m: Secscore_Tenant_V1_GroupEligibility, _ s: inout S) {
        s.string(1, m.id)
        s.string(2, m.groupID)
        s.string(3, m.principalID)
        s.string(4, m.accessID)
        s.string(5, m.principalType)
        s.string(6, m.principalDisplayName)
        s.string(7, m.principalUserPrincipalName)
        s.int64(8, m.startUnixMs)
        s.int64(9, m.endUnixMs)
        s.unknown(m.unknownFields)
    }

    private static func registrationDetail<S: Sink>(_ m: Secscore_Tenant_V1_RegistrationDetail, _ s: inout S) {
        s.string(1, m.id)
        s.string(2, m.userPrincipalName)
        s.string(3, m.userDisplayName)
        s.bool(4, m.isAdmin)
        s.bool(5, m.isMfaRegistered)
        s.bool(6, m.isMfaCapable)
        s.strings(7, m.methodsRegistered)
        s.bool(8, m.mfaRegistrationUnknown)
        s.unknown(m.unknownFields)
    }

    private static func conditionalAccessPolicy<S: Sink>(_ m: Secscore_Tenant_V1_ConditionalAccessPolicy, _ s: inout S) {
        s.string(1, m.id)
        s.string(2, m.displayName)
        s.enumeration(3, m.state.rawValue)
        s.strings(4, m.includeUsers)
        s.strings(5, m.excludeUsers)
        s.strings(6, m.includeGroups)
        s.strings(7, m.excludeGroups)
        s.strings(8, m.includeRoles)
        s.strings(9, m.excludeRoles)
        s.strings(10, m.includeApplications)
        s.strings(11, m.excludeApplications)
        s.strings(12, m.includeUserActions)
        s.strings(13, m.userRiskLevels)
        s.strings(14, m.signInRiskLevels)
        s.strings(15, m.clientAppTypes)
        s.strings(16, m.includePlatforms)
        s.strings(17, m.excludePlatforms)
        s.strings(18, m.includeLocations)
        s.strings(19, m.excludeLocations)
        s.bool(20, m.hasDeviceFilter_p)
        s.string(21, m.grantOperator)
        s.strings(22, m.builtInControls)
        s.strings(23, m.customAuthenticationFactors)
        if m.hasAuthenticationStrength {
            let a = m.authenticationStrength
            s.message(24) {
                $0.string(1, a.id)
                $0.string(2, a.displayName)
                $0.string(3, a.requirementsSatisfied)
                $0.strings(4, a.allowedCombinations)
                $0.unknown(a.unknownFields)
            }
        }
        s.bool(25, m.hasGuestsOrExternalUsersCondition_p)
        s.strings(26, m.insiderRiskLevels)
        for p in m.unmodeledProperties {
            s.message(27) {
                $0.string(1, p.path)
                $0.string(2, p.value)
                $0.bool(3, p.unknown)
                $0.unknown(p.unknownFields)
            }
        }
        if m.hasIncludeGuestsOrExternalUsers { s.message(28) { guestsOrExternalUsers(m.includeGuestsOrExternalUsers, &$0) } }
        if m.hasExcludeGuestsOrExternalUsers { s.message(29) { guestsOrExternalUsers(m.excludeGuestsOrExternalUsers, &$0) } }
        s.strings(30, m.termsOfUse)
        s.unknown(m.unknownFields)
    }

    private static func guestsOrExternalUsers<S: Sink>(_ m: Secscore_Tenant_V1_GuestsOrExternalUsers, _ s: inout S) {
        s.strings(1, m.guestOrExternalUserTypes)
        s.string(2, m.externalTenantsMembershipKind)
        s.strings(3, m.externalTenantIds)
        s.unknown(m.unknownFields)
    }

    private static func securityAlert<S: Sink>(_ m: Secscore_Tenant_V1_SecurityAlert, _ s: inout S) {
        s.string(1, m.id)
        s.string(2, m.displayName)
        s.string(3, m.alertType)
        s.string(4, m.severity)
        s.string(5, m.status)
        s.string(6, m.customerTenantID)
        s.int64(7, m.detectedUnixMs)
        s.int64(8, m.firstObservedUnixMs)
        s.int64(9, m.lastObservedUnixMs)
        s.int64(10, m.resolvedOnUnixMs)
        s.string(11, m.resolvedReason)
        s.string(12, m.resolvedBy)
        s.bool(13, m.isTest)
        for a in m.activityLogs {
            s.message(14) {
                $0.string(1, a.statusFrom)
                $0.string(2, a.statusTo)
                $0.string(3, a.updatedBy)
                $0.int64(4, a.updatedUnixMs)
                $0.unknown(a.unknownFields)
            }
        }
        s.unknown(m.unknownFields)
    }

    private static func customerMfaStatistics<S: Sink>(_ m: Secscore_Tenant_V1_CustomerMfaStatistics, _ s: inout S) {
        s.string(1, m.tenantID)
        s.string(2, m.displayName)
        s.int64(3, m.totalAdminsCount)
        s.int64(4, m.mfaEnabledAdminsCount)
        s.int64(5, m.mfaEnabledNonAdminsCount)
        s.int64(6, m.totalUsersCount)
        s.unknown(m.unknownFields)
    }

    private static func customerSpending<S: Sink>(_ m: Secscore_Tenant_V1_CustomerSpending, _ s: inout S) {
        s.string(1, m.customerTenantID)
        s.string(2, m.customerName)
        s.strings(3, m.subscriptionIds)
        if m.hasBudget {
            let b = m.budget
            s.message(4) {
                $0.double(1, b.amount)
                $0.double(2, b.percentUsed)
                $0.unknown(b.unknownFields)
            }
        }
        s.bool(5, m.subscriptionIdsUnknown)
        s.unknown(m.unknownFields)
    }
}

// MARK: - Sizing and writing

extension RequestEncoder {
    /// What a message's field list drives: the sizing pass or the writing
    /// pass. Field numbers go in as written in the .proto file.
    fileprivate protocol Sink: SendableMetatype {
        /// A length-delimited field written even when empty: an element of
        /// a repeated string.
        mutating func element(_ field: UInt32, _ value: String)
        /// A varint field, left out when 0.
        mutating func varint(_ field: UInt32, _ value: UInt64)
        /// A fixed64 field, left out when all its bits are 0 (so -0.0 is
        /// written, as SwiftProtobuf does).
        mutating func fixed64(_ field: UInt32, _ value: UInt64)
        /// A nested message: always written when called (presence is the
        /// caller's test).
        mutating func message(_ field: UInt32, _ body: (inout Self) -> Void)
        /// Fields this build did not know, kept as read, after the known ones.
        mutating func unknown(_ fields: UnknownStorage)
    }

    fileprivate static func varintSize(_ v: UInt64) -> Int {
        v == 0 ? 1 : (64 - v.leadingZeroBitCount + 6) / 7
    }

    /// The sizing pass: the total, and each nested message's size in the
    /// order the writing pass meets them.
    fileprivate struct Sizer: Sink {
        var total = 0
        var sizes: [Int] = []

        mutating func element(_ field: UInt32, _ value: String) {
            let n = value.utf8.count
            total += varintSize(UInt64(field << 3)) + varintSize(UInt64(n)) + n
        }

        mutating func varint(_ field: UInt32, _ value: UInt64) {
            if value != 0 { total += varintSize(UInt64(field << 3)) + varintSize(value) }
        }

        mutating func fixed64(_ field: UInt32, _ value: UInt64) {
            if value != 0 { total += varintSize(UInt64(field << 3)) + 8 }
        }

        mutating func message(_ field: UInt32, _ body: (inout Sizer) -> Void) {
            let outer = total
            let slot = sizes.count
            sizes.append(0)
            total = 0
            body(&self)
            let size = total
            sizes[slot] = size
            total = outer + varintSize(UInt64(field << 3 | 2)) + varintSize(UInt64(size)) + size
        }

        mutating func unknown(_ fields: UnknownStorage) {
            total += fields.data.count
        }
    }

    /// The writing pass, into memory sized by `Sizer`.
    fileprivate struct Writer: Sink {
        let base: UnsafeMutablePointer<UInt8>
        let sizes: UnsafePointer<Int>
        var offset = 0
        var next = 0

        init(base: UnsafeMutablePointer<UInt8>, sizes: UnsafePointer<Int>) {
            self.base = base
            self.sizes = sizes
        }

        private mutating func byte(_ b: UInt8) {
            base[offset] = b
            offset += 1
        }

        private mutating func raw(_ value: UInt64) {
            var v = value
            while v >= 0x80 {
                byte(UInt8(truncatingIfNeeded: v) | 0x80)
                v >>= 7
            }
            byte(UInt8(v))
        }

        mutating func element(_ field: UInt32, _ value: String) {
            var value = value
            raw(UInt64(field << 3 | 2))
            value.withUTF8 { utf8 in
                raw(UInt64(utf8.count))
                if let source = utf8.baseAddress { (base + offset).update(from: source, count: utf8.count) }
                offset += utf8.count
            }
        }

        mutating func varint(_ field: UInt32, _ value: UInt64) {
            guard value != 0 else { return }
            raw(UInt64(field << 3))
            raw(value)
        }

        mutating func fixed64(_ field: UInt32, _ value: UInt64) {
            guard value != 0 else { return }
            raw(UInt64(field << 3 | 1))
            // storeBytes takes any alignment (SE-0349).
            UnsafeMutableRawPointer(base + offset).storeBytes(of: value.littleEndian, as: UInt64.self)
            offset += 8
        }

        mutating func message(_ field: UInt32, _ body: (inout Writer) -> Void) {
            let size = sizes[next]
            next += 1
            raw(UInt64(field << 3 | 2))
            raw(UInt64(size))
            body(&self)
        }

        mutating func unknown(_ fields: UnknownStorage) {
            let data = fields.data
            guard !data.isEmpty else { return }
            data.withUnsafeBytes { bytes in
                UnsafeMutableRawPointer(base + offset).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
            }
            offset += data.count
        }
    }
}

extension RequestEncoder.Sink {
    /// A singular string, left out when empty (proto3).
    fileprivate mutating func string(_ field: UInt32, _ value: String) {
        if !value.isEmpty { element(field, value) }
    }

    fileprivate mutating func strings(_ field: UInt32, _ values: [String]) {
        for v in values { element(field, v) }
    }

    fileprivate mutating func bool(_ field: UInt32, _ value: Bool) {
        varint(field, value ? 1 : 0)
    }

    /// int64 and enum values are varints of their two's complement: a
    /// negative one takes ten bytes.
    fileprivate mutating func int64(_ field: UInt32, _ value: Int64) {
        varint(field, UInt64(bitPattern: value))
    }

    fileprivate mutating func enumeration(_ field: UInt32, _ rawValue: Int) {
        varint(field, UInt64(bitPattern: Int64(rawValue)))
    }

    fileprivate mutating func double(_ field: UInt32, _ value: Double) {
        fixed64(field, value.bitPattern)
    }
}
