import Glibc
public import SecScoreWire

/// Reads a snapshot directory. Every file is optional; each one present
/// must be valid, or loading stops with a `SnapshotError` that names the
/// file, the JSON path and what was expected.
public enum SnapshotLoader {
    /// Loads `directory`.
    /// - Throws: `SnapshotError` for the first bad file.
    public static func load(directory: String) throws(SnapshotError) -> TenantSnapshot {
        var st = stat()
        guard stat(directory, &st) == 0 else {
            throw SnapshotError(file: directory, path: "", "cannot open the snapshot directory: \(String(cString: strerror(errno)))")
        }
        guard st.st_mode & S_IFMT == S_IFDIR else {
            throw SnapshotError(file: directory, path: "", "is not a directory; a snapshot is a directory of JSON files")
        }
        var facets = Secscore_Tenant_V1_Facets()
        var present = Set<Secscore_Tenant_V1_Facet>()
        var partner: PartnerProfile?
        func path(_ name: String) -> String { directory.hasSuffix("/") ? directory + name : directory + "/" + name }
        func root(_ name: String) throws(SnapshotError) -> JSONNode? {
            try readJSON(path(name))
        }

        if let node = try root("partner.json") {
            let (profile, message) = try decodePartner(node)
            partner = profile
            facets.partner = message
            present.insert(.partner)
        }
        if let node = try root("securityContact.json") {
            facets.securityContact = try decodeSecurityContact(node)
            present.insert(.securityContact)
        }
        if let node = try root("roleDefinitions.json") {
            facets.roleDefinitions.items = try collection(node).map(decodeRoleDefinition)
            present.insert(.roleDefinitions)
        }
        if let node = try root("roleAssignments.json") {
            facets.roleAssignments.items = try collection(node).map { n throws(SnapshotError) in try decodeRoleAssignment(n, eligibility: false) }
            present.insert(.roleAssignments)
        }
        if let node = try root("roleEligibilitySchedules.json") {
            facets.roleEligibilities.items = try collection(node).map { n throws(SnapshotError) in try decodeRoleAssignment(n, eligibility: true) }
            present.insert(.roleEligibilities)
        }
        if var users = try streamedCollection(path("users.json"), decode: decodeUser) {
            if let mfa = try root("perUserMfa.json") {
                try mergePerUserMfa(mfa, into: &users)
            }
            facets.users.items = users
            present.insert(.users)
        } else if try root("perUserMfa.json") != nil {
            throw SnapshotError(file: path("perUserMfa.json"), path: "", "needs users.json beside it: per-user MFA states are merged into the users they belong to")
        }
        if let node = try root("groups.json") {
            facets.groups.items = try collection(node).map(decodeGroup)
            present.insert(.groups)
        }
        if let items = try streamedCollection(path("userRegistrationDetails.json"), decode: decodeRegistration) {
            facets.registrationDetails.items = items
            present.insert(.registrationDetails)
        }
        if let node = try root("securityDefaults.json") {
            let object = try node.object()
            guard let enabled = try object.bool("isEnabled") else {
                throw object.fail("isEnabled", "is missing; expected true or false")
            }
            facets.securityDefaults.isEnabled = enabled
            present.insert(.securityDefaults)
        }
        if let node = try root("conditionalAccessPolicies.json") {
            facets.conditionalAccessPolicies.items = try collection(node).map(decodePolicy)
            present.insert(.conditionalAccessPolicies)
        }
        if let items = try streamedCollection(path("securityAlerts.json"), decode: decodeAlert) {
            facets.securityAlerts.items = items
            present.insert(.securityAlerts)
        }
        if let items = try streamedCollection(path("customerMfa.json"), idKey: "tenantId", decode: decodeCustomerMfa) {
            facets.customerMfa.items = items
            present.insert(.customerMfa)
        }
        if let items = try streamedCollection(path("spendingBudgets.json"), idKey: "customerTenantId", decode: decodeSpending) {
            facets.spendingBudgets.items = items
            present.insert(.spendingBudgets)
        }
        return TenantSnapshot(directory: directory, partner: partner, facets: facets, presentFacets: present)
    }

    // MARK: Files

    /// Reads and parses a file; nil when it does not exist.
    static func readJSON(_ path: String) throws(SnapshotError) -> JSONNode? {
        guard let bytes = try readBytes(path) else { return nil }
        do {
            return JSONNode(value: try JSONParser.parse(bytes), path: "$", file: path)
        } catch {
            throw SnapshotError(file: path, path: "", "is not valid JSON: \(error)")
        }
    }

    /// A file's bytes; nil when it does not exist.
    static func readBytes(_ path: String) throws(SnapshotError) -> [UInt8]? {
        guard let file = fopen(path, "rb") else {
            if errno == ENOENT { return nil }
            throw SnapshotError(file: path, path: "", "cannot read: \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        // One allocation of the file's size, filled by fread: growing an
        // array 64 KiB at a time copied a 250 MB file a dozen times.
        var st = stat()
        let expected = fstat(fileno(file), &st) == 0 && st.st_mode & S_IFMT == S_IFREG ? Int(st.st_size) : 0
        var bytes: [UInt8] = []
        bytes.reserveCapacity(expected + 1)
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        if expected > 0 {
            bytes = [UInt8](unsafeUninitializedCapacity: expected) { out, count in
                count = fread(out.baseAddress, 1, expected, file)
            }
        }
        while true {
            let n = fread(&buffer, 1, buffer.count, file)
            if n > 0 { bytes.append(contentsOf: buffer[..<n]) }
            if n < buffer.count {
                if ferror(file) != 0 { throw SnapshotError(file: path, path: "", "read error") }
                break
            }
        }
        return bytes
    }

    /// A collection file decoded item by item as it is parsed, with the same
    /// rules and messages as `collection`: the big collections (users,
    /// registrations, alerts, customers, subscriptions) never exist as one
    /// JSON tree. Nil when the file does not exist.
    static func streamedCollection<T>(
        _ path: String, idKey: String = "id", decode: (JSONNode) throws(SnapshotError) -> T
    ) throws(SnapshotError) -> [T]? {
        guard let bytes = try readBytes(path) else { return nil }
        var items: [T] = []
        var seen: [String: Int] = [:]
        let parsed: (document: JSONValue, streamed: Bool)
        do {
            parsed = try JSONParser.parseCollection(bytes) { value, index, bare throws(SnapshotError) in
                let arrayPath = bare ? "$" : "$.value"
                let node = JSONNode(element: value, of: arrayPath, at: index, file: path)
                try checkItem(node, position: index, idKey: idKey, seen: &seen, path: { "\(arrayPath)[\($0)]" })
                items.append(try decode(node))
            }
        } catch {
            switch error {
            case .parse(let e): throw SnapshotError(file: path, path: "", "is not valid JSON: \(e)")
            case .item(let e): throw e
            }
        }
        let top = JSONNode(value: parsed.document, path: "$", file: path)
        switch parsed.document {
        case .array:
            return items
        case .object:
            try refuseLaterPages(top)
            if parsed.streamed { return items }
            if let value = top.member("value") {
                _ = try value.elements()  // not an array: says so
                return items
            }
            guard parsed.document[idKey] != nil else { throw missingValue(top) }
            var none: [String: Int] = [:]
            try checkItem(top, position: 0, idKey: idKey, seen: &none, path: { _ in "$" })
            return [try decode(top)]
        default:
            throw notACollection(top)
        }
    }

    /// An item must be an object, and its id (when it has one) unique.
    private static func checkItem(
        _ item: JSONNode, position: Int, idKey: String, seen: inout [String: Int], path: (Int) -> String
    ) throws(SnapshotError) {
        _ = try item.object()
        let id = try item.string(idKey)
        guard !id.isEmpty else { return }
        if let first = seen[id] {
            throw item.fail(idKey, "duplicate \(idKey) \"\(id)\", already used at \(path(first))")
        }
        seen[id] = position
    }

    private static func refuseLaterPages(_ node: JSONNode) throws(SnapshotError) {
        if node.member("@odata.nextLink") != nil {
            throw node.fail(
                "@odata.nextLink",
                "is set: this file holds only the first page of the results; fetch every page (e.g. az rest with --url on each nextLink) and put all items in one \"value\" array")
        }
    }

    private static func missingValue(_ node: JSONNode) -> SnapshotError {
        node.fail("value", "is missing; expected the collection response {\"value\": [...]}, a bare array, or one item")
    }

    private static func notACollection(_ node: JSONNode) -> SnapshotError {
        node.fail("expected a collection response {\"value\": [...]}, found \(node.value.kind)")
    }

    /// The items of a collection response: `{"value": [...]}` as Graph sends
    /// it, a bare array, or a single item (a GET of one entity). Refuses a first page whose `@odata.nextLink` says
    /// more pages exist, and duplicate ids.
    static func collection(_ node: JSONNode, idKey: String = "id") throws(SnapshotError) -> [JSONNode] {
        let items: [JSONNode]
        switch node.value {
        case .array:
            items = try node.elements()
        case .object:
            try refuseLaterPages(node)
            if let value = node.member("value") {
                items = try value.elements()
            } else if node.value[idKey] != nil {
                // A single entity, as a GET of one item returns it.
                items = [node]
            } else {
                throw missingValue(node)
            }
        default:
            throw notACollection(node)
        }
        var seen: [String: Int] = [:]
        seen.reserveCapacity(items.count)
        for (position, item) in items.enumerated() {
            try checkItem(item, position: position, idKey: idKey, seen: &seen, path: { items[$0].path })
        }
        return items
    }

    // MARK: Decoders

    static func decodePartner(_ node: JSONNode) throws(SnapshotError) -> (PartnerProfile, Secscore_Tenant_V1_Partner) {
        let o = try node.object()
        var profile = PartnerProfile()
        var message = Secscore_Tenant_V1_Partner()
        profile.tenantID = try o.string("tenantId")
        profile.displayName = try o.string("displayName")
        if let type = try o.enumeration(
            "partnerType", ["directBill", "distributor", "indirectReseller"],
            aliases: ["indirectProvider": "distributor"])
        {
            profile.partnerType = PartnerProfile.PartnerType(rawValue: type)
        }
        if let commerce = try o.enumeration("commerceExperience", ["newCommerce", "traditional"]) {
            profile.commerce = PartnerProfile.Commerce(rawValue: commerce)
        }
        let onboarded = try o.string("onboardedDate")
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

    static func decodeSecurityContact(_ node: JSONNode) throws(SnapshotError) -> Secscore_Tenant_V1_SecurityContact {
        let o = try node.object()
        var c = Secscore_Tenant_V1_SecurityContact()
        c.name = try o.string("name")
        c.email = try o.string("email")
        c.phone = try o.string("phone")
        return c
    }

    static func decodeRoleDefinition(_ node: JSONNode) throws(SnapshotError) -> Secscore_Tenant_V1_RoleDefinition {
        var r = Secscore_Tenant_V1_RoleDefinition()
        r.id = try node.requiredString("id")
        r.displayName = try node.string("displayName")
        r.templateID = try node.string("templateId")
        if r.templateID.isEmpty { r.templateID = r.id }
        r.isBuiltIn = try node.bool("isBuiltIn") ?? false
        return r
    }

    static func decodeRoleAssignment(_ node: JSONNode, eligibility: Bool) throws(SnapshotError) -> Secscore_Tenant_V1_RoleAssignment {
        var a = Secscore_Tenant_V1_RoleAssignment()
        a.id = try node.string("id")
        a.principalID = try node.requiredString("principalId")
        a.roleDefinitionID = try node.requiredString("roleDefinitionId")
        a.directoryScopeID = try node.string("directoryScopeId")
        if let principal = node.member("principal") {
            let p = try principal.object()
            let type = try p.string("@odata.type").lowercased()
            if type.hasSuffix(".user") { a.principalType = "user" }
            else if type.hasSuffix(".group") { a.principalType = "group" }
            else if type.hasSuffix(".serviceprincipal") { a.principalType = "servicePrincipal" }
            else { a.principalType = type }
            a.principalDisplayName = try p.string("displayName")
            a.principalUserPrincipalName = try p.string("userPrincipalName")
        }
        if eligibility, let schedule = node.member("scheduleInfo") {
            let s = try schedule.object()
            a.startUnixMs = try s.dateTime("startDateTime")
            if let expiration = s.member("expiration") {
                a.endUnixMs = try expiration.object().dateTime("endDateTime")
            }
        }
        return a
    }

    static func decodeUser(_ node: JSONNode) throws(SnapshotError) -> Secscore_Tenant_V1_User {
        var u = Secscore_Tenant_V1_User()
        u.id = try node.requiredString("id")
        u.userPrincipalName = try node.string("userPrincipalName")
        u.displayName = try node.string("displayName")
        u.userType = try node.enumeration("userType", ["Member", "Guest"]) ?? ""
        u.accountDisabled = try node.bool("accountEnabled") == false
        u.perUserMfaState = try perUserMfaState(node)
        return u
    }

    static func perUserMfaState(_ node: JSONNode) throws(SnapshotError) -> Secscore_Tenant_V1_PerUserMfaState {
        switch try node.enumeration("perUserMfaState", ["disabled", "enabled", "enforced"]) {
        case "disabled": .disabled
        case "enabled": .enabled
        case "enforced": .enforced
        default: .unknown
        }
    }

    /// perUserMfa.json: `{"value": [{"id", "perUserMfaState"}]}`, one item
    /// per user as Graph beta `users/{id}/authentication/requirements`
    /// returns it, with the user's id added.
    static func mergePerUserMfa(_ node: JSONNode, into users: inout [Secscore_Tenant_V1_User]) throws(SnapshotError) {
        var index: [String: Int] = [:]
        for (i, u) in users.enumerated() { index[u.id] = i }
        for item in try collection(node) {
            let id = try item.requiredString("id")
            let state = try perUserMfaState(item)
            guard let i = index[id] else {
                throw item.fail("id", "user \(id) is not in users.json")
            }
            if users[i].perUserMfaState == .unknown { users[i].perUserMfaState = state }
        }
    }

    static func decodeGroup(_ node: JSONNode) throws(SnapshotError) -> Secscore_Tenant_V1_Group {
        var g = Secscore_Tenant_V1_Group()
        g.id = try node.requiredString("id")
        g.displayName = try node.string("displayName")
        g.memberIds = try node.array("members").map { m throws(SnapshotError) in try m.requiredString("id") }
        return g
    }

    static func decodeRegistration(_ node: JSONNode) throws(SnapshotError) -> Secscore_Tenant_V1_RegistrationDetail {
        var r = Secscore_Tenant_V1_RegistrationDetail()
        r.id = try node.requiredString("id")
        r.userPrincipalName = try node.string("userPrincipalName")
        r.userDisplayName = try node.string("userDisplayName")
        r.isAdmin = try node.bool("isAdmin") ?? false
        r.isMfaRegistered = try node.bool("isMfaRegistered") ?? false
        r.isMfaCapable = try node.bool("isMfaCapable") ?? false
        r.methodsRegistered = try node.strings("methodsRegistered")
        return r
    }

    static func decodePolicy(_ node: JSONNode) throws(SnapshotError) -> Secscore_Tenant_V1_ConditionalAccessPolicy {
        var p = Secscore_Tenant_V1_ConditionalAccessPolicy()
        p.id = try node.requiredString("id")
        p.displayName = try node.string("displayName")
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
                p.includeUsers = try u.strings("includeUsers")
                p.excludeUsers = try u.strings("excludeUsers")
                p.includeGroups = try u.strings("includeGroups")
                p.excludeGroups = try u.strings("excludeGroups")
                p.includeRoles = try u.strings("includeRoles")
                p.excludeRoles = try u.strings("excludeRoles")
                p.hasGuestsOrExternalUsersCondition_p =
                    u.member("includeGuestsOrExternalUsers") != nil || u.member("excludeGuestsOrExternalUsers") != nil
            }
            if let apps = c.member("applications") {
                let a = try apps.object()
                p.includeApplications = try a.strings("includeApplications")
                p.excludeApplications = try a.strings("excludeApplications")
                p.includeUserActions = try a.strings("includeUserActions")
            }
            p.userRiskLevels = try c.strings("userRiskLevels")
            p.signInRiskLevels = try c.strings("signInRiskLevels")
            p.insiderRiskLevels = c.member("insiderRiskLevels").map { n in
                if case .string(let s) = n.value { return s.split(separator: ",").map { String($0).trimmingCharacters() } }
                return []
            } ?? []
            p.clientAppTypes = try c.strings("clientAppTypes")
            if let platforms = c.member("platforms") {
                p.includePlatforms = try platforms.object().strings("includePlatforms")
                p.excludePlatforms = try platforms.strings("excludePlatforms")
            }
            if let locations = c.member("locations") {
                p.includeLocations = try locations.object().strings("includeLocations")
                p.excludeLocations = try locations.strings("excludeLocations")
            }
            if let devices = c.member("devices") {
                p.hasDeviceFilter_p = try devices.object().member("deviceFilter") != nil
            }
        }
        if let grant = node.member("grantControls") {
            let g = try grant.object()
            p.grantOperator = try g.string("operator")
            p.builtInControls = try g.strings("builtInControls")
            p.customAuthenticationFactors = try g.strings("customAuthenticationFactors")
            if let strength = g.member("authenticationStrength") {
                let s = try strength.object()
                var a = Secscore_Tenant_V1_AuthenticationStrength()
                a.id = try s.string("id")
                a.displayName = try s.string("displayName")
                a.requirementsSatisfied = try s.string("requirementsSatisfied")
                a.allowedCombinations = try s.strings("allowedCombinations")
                p.authenticationStrength = a
            }
        }
        return p
    }

    static func decodeAlert(_ node: JSONNode) throws(SnapshotError) -> Secscore_Tenant_V1_SecurityAlert {
        var a = Secscore_Tenant_V1_SecurityAlert()
        a.id = try node.requiredString("id")
        a.displayName = try node.string("displayName")
        a.alertType = try node.string("alertType")
        a.severity = try node.string("severity")
        a.status = try node.string("status")
        a.customerTenantID = try node.string("customerTenantId")
        a.detectedUnixMs = try node.dateTime("detectedDateTime")
        guard a.detectedUnixMs != 0 else {
            throw node.fail("detectedDateTime", "is missing; every alert needs the time it was detected")
        }
        a.firstObservedUnixMs = try node.dateTime("firstObservedDateTime")
        a.lastObservedUnixMs = try node.dateTime("lastObservedDateTime")
        a.resolvedOnUnixMs = try node.dateTime("resolvedOnDateTime")
        a.resolvedReason = try node.string("resolvedReason")
        a.resolvedBy = try node.string("resolvedBy")
        a.isTest = try node.bool("isTest") ?? false
        a.activityLogs = try node.array("activityLogs").map { log throws(SnapshotError) in
            let l = try log.object()
            var entry = Secscore_Tenant_V1_AlertActivity()
            entry.statusFrom = try l.string("statusFrom")
            entry.statusTo = try l.string("statusTo")
            entry.updatedBy = try l.string("updatedBy")
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
        c.displayName = try node.string("displayName")
        let counts = node.member("mfa") ?? node
        let limit: Int64 = 100_000_000
        c.totalAdminsCount = try counts.integer("totalAdminsCount", max: limit) ?? -1
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
        var s = Secscore_Tenant_V1_CustomerSpending()
        s.customerTenantID = try node.requiredString("customerTenantId")
        s.customerName = try node.string("customerName")
        s.subscriptionIds = try node.strings("subscriptionIds")
        if let budget = node.member("budget") {
            let b = try budget.object()
            guard let amount = try b.number("amount") else { throw b.fail("amount", "is missing; expected the budget amount") }
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
