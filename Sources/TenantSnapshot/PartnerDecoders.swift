import SecScoreJSON
public import SecScoreWire

/// Decoders for the partner's own files and Partner Center's exports: the
/// partner profile, its security contact, security alerts, customers' MFA
/// statistics and spending budgets.
extension SnapshotLoader {
    static func decodePartner(_ node: JSONNode) throws(SnapshotError) -> (PartnerProfile, Secscore_Tenant_V1_Partner) {
        let o = try node.object()
        try o.requireKnownKeys(["tenantId", "displayName", "partnerType", "commerceExperience", "onboardedDate"], required: [])
        var profile = PartnerProfile()
        var message = Secscore_Tenant_V1_Partner()
        profile.tenantID = try o.string("tenantId") ?? ""
        profile.displayName = try o.string("displayName") ?? ""
        if let type = try o.enumeration(
            "partnerType", ["directBill", "distributor", "indirectReseller"],
            aliases: ["indirectProvider": "distributor"])
        {
            profile.partnerType = PartnerProfile.PartnerType(rawValue: type)
        }
        if let commerce = try o.enumeration("commerceExperience", ["newCommerce", "traditional"]) {
            profile.commerce = PartnerProfile.Commerce(rawValue: commerce)
        }
        let onboarded = try o.string("onboardedDate") ?? ""
        if !onboarded.isEmpty {
            guard let day = CivilDate(onboarded) else {
                throw o.fail("onboardedDate", "expected a date YYYY-MM-DD, found \"\(onboarded)\"")
            }
            profile.onboardedDate = day
        }
        message.tenantID = profile.tenantID
        message.displayName = profile.displayName
        message.partnerType = profile.partnerType?.wire ?? .unspecified
        message.commerceExperience = profile.commerce?.wire ?? .unspecified
        message.onboardedDate = profile.onboardedDate?.description ?? ""
        return (profile, message)
    }

    /// securityContact.json: `{"name", "email", "phone"}`. Also accepted:
    /// the same object wrapped as a collection of one, `{"value": [{...}]}`
    /// (an empty `value` means no contact). Keys in another case, or other
    /// keys with name, email or phone missing, are refused.
    static func decodeSecurityContact(_ node: JSONNode) throws(SnapshotError) -> Secscore_Tenant_V1_SecurityContact {
        var o = try node.object()
        if let value = o.member("value"), o.keys == ["value"] {
            let items = try value.elements()
            guard items.count <= 1 else {
                throw value.fail("expected one security contact, found \(items.count)")
            }
            guard let only = items.first else { return Secscore_Tenant_V1_SecurityContact() }
            o = try only.object()
        }
        try o.requireKnownKeys(["name", "email", "phone"], required: ["name", "email", "phone"])
        var c = Secscore_Tenant_V1_SecurityContact()
        c.name = try o.string("name") ?? ""
        c.email = try o.string("email") ?? ""
        c.phone = try o.string("phone") ?? ""
        return c
    }


    /// A Partner Center security alert; `shared` keeps one copy of the
    /// values that repeat from alert to alert (types, states, customers,
    /// who resolved them).
    static func decodeAlert(_ node: JSONNode, sharing shared: inout ValueInterner) throws(SnapshotError) -> Secscore_Tenant_V1_SecurityAlert {
        var a = Secscore_Tenant_V1_SecurityAlert()
        a.id = try node.requiredString("id")
        a.displayName = try node.string("displayName") ?? ""
        a.alertType = shared.string(try node.string("alertType") ?? "")
        a.severity = try node.string("severity") ?? ""
        a.status = try node.string("status") ?? ""
        a.customerTenantID = shared.string(try node.string("customerTenantId") ?? "")
        a.detectedUnixMs = try node.dateTime("detectedDateTime")
        guard a.detectedUnixMs != 0 else {
            throw node.fail("detectedDateTime", "is missing; every alert needs the time it was detected")
        }
        a.firstObservedUnixMs = try node.dateTime("firstObservedDateTime")
        a.lastObservedUnixMs = try node.dateTime("lastObservedDateTime")
        a.resolvedOnUnixMs = try node.dateTime("resolvedOnDateTime")
        a.resolvedReason = shared.string(try node.string("resolvedReason") ?? "")
        a.resolvedBy = shared.string(try node.string("resolvedBy") ?? "")
        a.isTest = try node.bool("isTest") ?? false
        a.activityLogs = try (node.array("activityLogs") ?? []).map { log throws(SnapshotError) in
            let l = try log.object()
            var entry = Secscore_Tenant_V1_AlertActivity()
            entry.statusFrom = shared.string(try l.string("statusFrom") ?? "")
            entry.statusTo = shared.string(try l.string("statusTo") ?? "")
            entry.updatedBy = shared.string(try l.string("updatedBy") ?? "")
            entry.updatedUnixMs = try l.dateTime("updatedDateTime")
            return entry
        }
        return a
    }

    /// customerMfa.json, in the secscore shape (Partner Center's Customer
    /// MFA statistics plus the admin total) or Graph's
    /// `security/partner/securityScore/customerInsights` shape, whose counts
    /// sit under `mfa` and which has no admin total.
    static func decodeCustomerMfa(_ node: JSONNode) throws(SnapshotError) -> Secscore_Tenant_V1_CustomerMfaStatistics {
        var c = Secscore_Tenant_V1_CustomerMfaStatistics()
        c.tenantID = try node.requiredString("tenantId")
        c.displayName = try node.string("displayName") ?? ""
        let counts = node.member("mfa") ?? node
        if node.present("mfa") == nil {
            try node.requireKnownKeys(
                ["tenantId", "displayName", "totalAdminsCount", "mfaEnabledAdminsCount", "mfaEnabledNonAdminsCount", "totalUsersCount"],
                required: [])
        }
        let limit: Int64 = 100_000_000
        c.totalAdminsCount = try counts.integer("totalAdminsCount", max: limit) ?? -1
        // A total without the count of admins with MFA would read as "none has MFA".
        if c.totalAdminsCount >= 0, counts.present("mfaEnabledAdminsCount") == nil, counts.present("compliantAdminsCount") == nil {
            throw node.fail("mfaEnabledAdminsCount", "is missing; expected how many of the totalAdminsCount admins have MFA")
        }
        let adminsSecscore = try counts.integer("mfaEnabledAdminsCount", max: limit)
        let adminsGraph = try counts.integer("compliantAdminsCount", max: limit)
        c.mfaEnabledAdminsCount = adminsSecscore ?? adminsGraph ?? 0
        let nonAdminsSecscore = try counts.integer("mfaEnabledNonAdminsCount", max: limit)
        let nonAdminsGraph = try counts.integer("compliantNonAdminsCount", max: limit)
        c.mfaEnabledNonAdminsCount = nonAdminsSecscore ?? nonAdminsGraph ?? 0
        c.totalUsersCount = try counts.integer("totalUsersCount", max: limit) ?? 0
        if c.totalAdminsCount >= 0, c.mfaEnabledAdminsCount > c.totalAdminsCount {
            throw node.fail(
                "mfaEnabledAdminsCount",
                "is \(c.mfaEnabledAdminsCount), more than totalAdminsCount \(c.totalAdminsCount); expected at most the total")
        }
        return c
    }

    static func decodeSpending(_ node: JSONNode) throws(SnapshotError) -> Secscore_Tenant_V1_CustomerSpending {
        try node.requireKnownKeys(["customerTenantId", "customerName", "subscriptionIds", "budget", "percentUsed"], required: [])
        var s = Secscore_Tenant_V1_CustomerSpending()
        s.customerTenantID = try node.requiredString("customerTenantId")
        s.customerName = try node.string("customerName") ?? ""
        // Only an empty list means "no Azure subscription"; absent or null
        // means the lookup was not done.
        s.subscriptionIdsUnknown = node.present("subscriptionIds") == nil
        s.subscriptionIds = try node.strings("subscriptionIds") ?? []
        // Partner Center's usagebudget has "amount": null when no budget is
        // set; a budget of 0 is a budget (docs/REQUIREMENTS.md).
        if let budget = node.member("budget"), !(budget.value["amount"].map { $0 == .null } ?? false) {
            let b = try budget.object()
            guard let amount = try b.number("amount") else { throw b.fail("amount", "is missing; expected the budget amount, or null for no budget") }
            guard amount >= 0 else { throw b.fail("amount", "expected a budget of 0 or more, found \(amount)") }
            s.budget.amount = amount
            let usedOutside = try node.number("percentUsed")
            let usedInside = try b.number("percentUsed")
            if let used = usedOutside ?? usedInside {
                guard used >= 0 else { throw node.fail("percentUsed", "expected 0 or more, found \(used)") }
                s.budget.percentUsed = used
            }
        }
        return s
    }
}

extension PartnerProfile.PartnerType {
    /// The protocol's spelling.
    public var wire: Secscore_Tenant_V1_PartnerType {
        switch self {
        case .directBill: .directBill
        case .distributor: .distributor
        case .indirectReseller: .indirectReseller
        }
    }
}

extension PartnerProfile.Commerce {
    public var wire: Secscore_Tenant_V1_CommerceExperience {
        switch self {
        case .newCommerce: .newCommerce
        case .traditional: .traditional
        }
    }
}
