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
        if let node = try root("groupEligibilitySchedules.json") {
            facets.groupEligibilities.items = try collection(node).map(decodeGroupEligibility)
            present.insert(.groupEligibilities)
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
        var snapshot = TenantSnapshot(directory: directory, partner: partner, facets: facets, presentFacets: present)
        snapshot.unreadFiles = unreadFiles(in: directory)
        snapshot.collectionReasons = CollectionManifest.load(directory: directory)?.leftOut ?? [:]
        let scorePath = path(MicrosoftScoreReader.fileName)
        if let bytes = try readBytes(scorePath) {
            snapshot.microsoftScore = try MicrosoftScoreReader.read(bytes, file: scorePath)
        }
        return snapshot
    }

    /// Regular files in `directory` that no facet reads (dot files and
    /// documentation aside).
    static func unreadFiles(in directory: String) -> [String] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        let known = TenantSnapshot.knownFileNames
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard !name.hasPrefix("."), !known.contains(name), !name.hasSuffix(".md") else { continue }
            var st = stat()
            guard stat(directory + "/" + name, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { continue }
            names.append(name)
        }
        return names.sorted()
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

    /// A file's bytes as UTF-8; nil when it does not exist. UTF-16 with a
    /// byte-order mark (what Windows PowerShell 5.1's `>` and `Out-File`
    /// write) is converted; UTF-16 without one is refused with the fix.
    static func readBytes(_ path: String) throws(SnapshotError) -> [UInt8]? {
        guard let raw = try readRawBytes(path) else { return nil }
        return try TextEncoding.utf8(raw, file: path)
    }

    static func readRawBytes(_ path: String) throws(SnapshotError) -> [UInt8]? {
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
        try o.requireKnownKeys(["tenantId", "displayName", "partnerType", "commerceExperience", "onboardedDate"], required: [])
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
        (a.principalType, a.principalDisplayName, a.principalUserPrincipalName) = try expandedPrincipal(node)
        if eligibility { (a.startUnixMs, a.endUnixMs) = try scheduleWindow(node) }
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
        u.externalUserState = try node.string("externalUserState")
        u.creationType = try node.string("creationType")
        u.identityIssuers = try node.array("identities").map { i throws(SnapshotError) in try i.object().string("issuer") }
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

    /// A group with `members` or `transitiveMembers` expanded (either or
    /// both). A member whose `@odata.type` is a group is a nested group.
    /// Graph caps an expanded relationship at 20 objects and says so with
    /// `members@odata.nextLink`: such a list is refused, not read as whole.
    static func decodeGroup(_ node: JSONNode) throws(SnapshotError) -> Secscore_Tenant_V1_Group {
        var g = Secscore_Tenant_V1_Group()
        g.id = try node.requiredString("id")
        g.displayName = try node.string("displayName")
        var seenUsers = Set<String>()
        var seenGroups = Set<String>()
        var listed = false
        for key in ["members", "transitiveMembers"] {
            if node.value[key + "@odata.nextLink"] != nil {
                throw node.fail(
                    key + "@odata.nextLink",
                    "is set: the expanded \(key) list is cut short (Graph expands at most 20); fetch groups/\(g.id)/transitiveMembers with every page and put them in \"transitiveMembers\"")
            }
            guard let list = node.member(key) else { continue }
            listed = true
            for m in try list.elements() {
                let id = try m.requiredString("id")
                if try m.string("@odata.type").lowercased().hasSuffix(".group") {
                    if seenGroups.insert(id).inserted { g.memberGroupIds.append(id) }
                } else if seenUsers.insert(id).inserted {
                    g.memberIds.append(id)
                }
            }
        }
        g.membersUnknown = !listed
        return g
    }

    /// groupEligibilitySchedules.json: PIM for Groups eligibilities, as
    /// Graph's `identityGovernance/privilegedAccess/group/eligibilitySchedules`
    /// returns them (`$expand=principal` optional).
    static func decodeGroupEligibility(_ node: JSONNode) throws(SnapshotError) -> Secscore_Tenant_V1_GroupEligibility {
        var e = Secscore_Tenant_V1_GroupEligibility()
        e.id = try node.string("id")
        e.groupID = try node.requiredString("groupId")
        e.principalID = try node.requiredString("principalId")
        e.accessID = try node.enumeration("accessId", ["member", "owner"]) ?? ""
        guard !e.accessID.isEmpty else { throw node.fail("accessId", "is missing; expected member or owner") }
        (e.principalType, e.principalDisplayName, e.principalUserPrincipalName) = try expandedPrincipal(node)
        (e.startUnixMs, e.endUnixMs) = try scheduleWindow(node)
        return e
    }

    /// A PIM schedule's `scheduleInfo` as (start, end) Unix milliseconds; 0
    /// for an open end (or no schedule).
    static func scheduleWindow(_ node: JSONNode) throws(SnapshotError) -> (Int64, Int64) {
        guard let schedule = node.member("scheduleInfo") else { return (0, 0) }
        let s = try schedule.object()
        let start = try s.dateTime("startDateTime")
        let end = try s.member("expiration").map { e throws(SnapshotError) in try e.object().dateTime("endDateTime") } ?? 0
        return (start, end)
    }

    /// The `principal` Graph adds with `$expand=principal`, as (type,
    /// display name, user principal name); all empty when not expanded.
    static func expandedPrincipal(_ node: JSONNode) throws(SnapshotError) -> (String, String, String) {
        guard let principal = node.member("principal") else { return ("", "", "") }
        let p = try principal.object()
        return (principalType(try p.string("@odata.type")), try p.string("displayName"), try p.string("userPrincipalName"))
    }

    /// "user", "group", "servicePrincipal" from an `@odata.type`; another
    /// type lowercased as it came; "" when there is none.
    static func principalType(_ odataType: String) -> String {
        let type = odataType.lowercased()
        if type.hasSuffix(".user") { return "user" }
        if type.hasSuffix(".group") { return "group" }
        if type.hasSuffix(".serviceprincipal") { return "servicePrincipal" }
        return type
    }

    static func decodeRegistration(_ node: JSONNode) throws(SnapshotError) -> Secscore_Tenant_V1_RegistrationDetail {
        var r = Secscore_Tenant_V1_RegistrationDetail()
        r.id = try node.requiredString("id")
        r.userPrincipalName = try node.string("userPrincipalName")
        r.userDisplayName = try node.string("userDisplayName")
        r.isAdmin = try node.bool("isAdmin") ?? false
        // null is "not known", never "not registered".
        if let registered = try node.bool("isMfaRegistered") {
            r.isMfaRegistered = registered
        } else {
            r.mfaRegistrationUnknown = true
        }
        r.isMfaCapable = try node.bool("isMfaCapable") ?? false
        r.methodsRegistered = try node.strings("methodsRegistered")
        return r
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
        if node.member("mfa") == nil {
            try node.requireKnownKeys(
                ["tenantId", "displayName", "totalAdminsCount", "mfaEnabledAdminsCount", "mfaEnabledNonAdminsCount", "totalUsersCount"],
                required: [])
        }
        let limit: Int64 = 100_000_000
        c.totalAdminsCount = try counts.integer("totalAdminsCount", max: limit) ?? -1
        // A total without the count of admins with MFA would read as "none has MFA".
        if c.totalAdminsCount >= 0, counts.member("mfaEnabledAdminsCount") == nil, counts.member("compliantAdminsCount") == nil {
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
        s.customerName = try node.string("customerName")
        // Only an empty list means "no Azure subscription"; absent or null
        // means the lookup was not done.
        s.subscriptionIdsUnknown = node.member("subscriptionIds") == nil
        s.subscriptionIds = try node.strings("subscriptionIds")
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
