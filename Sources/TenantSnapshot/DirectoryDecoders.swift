import SecScoreJSON
import SecScoreWire

/// Decoders for Microsoft Entra ID's directory as Graph returns it: roles and
/// their assignments, users, groups, PIM eligibilities, MFA registration.
extension SnapshotLoader {
    static func decodeRoleDefinition(_ node: JSONNode) throws(SnapshotError) -> Secscore_Tenant_V1_RoleDefinition {
        var r = Secscore_Tenant_V1_RoleDefinition()
        r.id = try node.requiredString("id")
        r.displayName = try node.string("displayName") ?? ""
        r.templateID = try node.string("templateId") ?? ""
        if r.templateID.isEmpty { r.templateID = r.id }
        r.isBuiltIn = try node.bool("isBuiltIn") ?? false
        return r
    }

    static func decodeRoleAssignment(_ node: JSONNode, eligibility: Bool) throws(SnapshotError) -> Secscore_Tenant_V1_RoleAssignment {
        var a = Secscore_Tenant_V1_RoleAssignment()
        a.id = try node.string("id") ?? ""
        a.principalID = try node.requiredString("principalId")
        a.roleDefinitionID = try node.requiredString("roleDefinitionId")
        a.directoryScopeID = try node.string("directoryScopeId") ?? ""
        (a.principalType, a.principalDisplayName, a.principalUserPrincipalName) = try expandedPrincipal(node)
        if eligibility { (a.startUnixMs, a.endUnixMs) = try scheduleWindow(node) }
        return a
    }

    /// A user of users.json; `shared` keeps one copy of the values that
    /// repeat from user to user (issuers, states, creation types).
    static func decodeUser(_ node: JSONNode, sharing shared: inout ValueInterner) throws(SnapshotError) -> Secscore_Tenant_V1_User {
        var u = Secscore_Tenant_V1_User()
        u.id = try node.requiredString("id")
        u.userPrincipalName = try node.string("userPrincipalName") ?? ""
        u.displayName = try node.string("displayName") ?? ""
        u.userType = try node.enumeration("userType", ["Member", "Guest"]) ?? ""
        u.accountDisabled = try node.bool("accountEnabled") == false
        u.perUserMfaState = try perUserMfaState(node)
        u.externalUserState = shared.string(try node.string("externalUserState") ?? "")
        u.creationType = shared.string(try node.string("creationType") ?? "")
        u.identityIssuers = shared.list(
            try (node.array("identities") ?? []).map { i throws(SnapshotError) in try i.object().string("issuer") ?? "" })
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
        g.displayName = try node.string("displayName") ?? ""
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
                if (try m.string("@odata.type") ?? "").lowercased().hasSuffix(".group") {
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
        e.id = try node.string("id") ?? ""
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
        return (principalType(try p.string("@odata.type") ?? ""), try p.string("displayName") ?? "", try p.string("userPrincipalName") ?? "")
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

    /// A user's registration details; `shared` keeps one copy of each list
    /// of methods registered (a few combinations repeat over every user).
    static func decodeRegistration(
        _ node: JSONNode, sharing shared: inout ValueInterner
    ) throws(SnapshotError) -> Secscore_Tenant_V1_RegistrationDetail {
        var r = Secscore_Tenant_V1_RegistrationDetail()
        r.id = try node.requiredString("id")
        r.userPrincipalName = try node.string("userPrincipalName") ?? ""
        r.userDisplayName = try node.string("userDisplayName") ?? ""
        r.isAdmin = try node.bool("isAdmin") ?? false
        // null is "not known", never "not registered".
        if let registered = try node.bool("isMfaRegistered") {
            r.isMfaRegistered = registered
        } else {
            r.mfaRegistrationUnknown = true
        }
        r.isMfaCapable = try node.bool("isMfaCapable") ?? false
        r.methodsRegistered = try shared.list("methodsRegistered", of: node)
        return r
    }
}
