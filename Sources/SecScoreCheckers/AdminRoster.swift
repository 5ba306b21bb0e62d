import SecScoreWire

/// Who is an admin of the partner tenant: every user who holds one of the
/// admin roles, actively or as PIM-eligible, directly, through a
/// role-assignable group, or as an eligible member of such a group (PIM for
/// Groups), at any scope. Principals the snapshot cannot identify are kept
/// apart, never guessed to be users.
struct AdminRoster {
    struct Admin {
        var id: String
        var name: String
        /// Template ids of roles held actively, and of roles only eligible, at any scope.
        var activeRoles: Set<String> = []
        var eligibleRoles: Set<String> = []
        /// Roles Conditional Access role targeting can see for this admin:
        /// tenant-wide (directoryScopeId "/") assignments of built-in roles
        /// (Microsoft Entra documentation, "Conditional Access: Users, groups
        /// and workload identities": administrative-unit-scoped and custom
        /// roles are not supported).
        var targetableActive: Set<String> = []
        var targetableEligible: Set<String> = []
        /// Roles held in a way role targeting does not see (or may not:
        /// `certain` false when the export leaves it open), with why.
        var untargetable: [String: (why: String, certain: Bool)] = [:]

        /// Roles an `excludeRoles` entry may take this admin out by: role
        /// exclusion sees what role inclusion sees, and where the export
        /// cannot tell, the exclusion is taken to apply (no point awarded).
        var excludable: Set<String> {
            targetableActive.union(targetableEligible).union(untargetable.filter { !$0.value.certain }.keys)
        }
        /// Groups that gave the role, by name.
        var viaGroups: [String] = []
    }

    var admins: [String: Admin] = [:]
    /// Role-holding groups whose membership is not known, with why.
    var unresolvedGroups: [String] = []
    /// Principals holding an admin role whose type the snapshot cannot
    /// establish: (principal id, role name, which file).
    var unknownPrincipals: [(id: String, role: String, file: String)] = []
    var servicePrincipals = 0
    /// Groups that hold an admin role, by name.
    var roleHoldingGroups: [String] = []

    init(
        facets f: Secscore_Tenant_V1_Facets, adminRoles: Set<String>, roleNames: [String: String],
        membership: GroupMembership, now: Int64
    ) {
        var templateOf: [String: String] = [:]
        var builtIn: [String: Bool] = [:]
        for d in f.roleDefinitions.items {
            templateOf[d.id] = d.templateID
            builtIn[d.templateID] = d.isBuiltIn
        }
        let users = Set(f.users.items.map(\.id))
        let registrations = Dictionary(f.registrationDetails.items.map { ($0.id, $0.userPrincipalName) }, uniquingKeysWith: { a, _ in a })
        let userNames = Dictionary(f.users.items.map { ($0.id, $0.userPrincipalName) }, uniquingKeysWith: { a, _ in a })

        func inForce(_ start: Int64, _ end: Int64) -> Bool {
            !(start != 0 && start > now) && !(end != 0 && end <= now)
        }

        /// How a principal is to be read: the expanded type when there is
        /// one, else what the snapshot's users and groups say.
        func kind(_ id: String, declared: String) -> String {
            if !declared.isEmpty { return declared }
            if membership.group(id) != nil { return "group" }
            if users.contains(id) || registrations[id] != nil { return "user" }
            return ""
        }

        func add(
            _ userID: String, fallbackName: String, role: String, eligible: Bool,
            targetable: (why: String, certain: Bool)?, via group: String?
        ) {
            let known = userNames[userID] ?? registrations[userID] ?? ""
            var admin = admins[userID] ?? Admin(id: userID, name: known.isEmpty ? fallbackName : known)
            if admin.name.isEmpty { admin.name = fallbackName }
            if eligible { admin.eligibleRoles.insert(role) } else { admin.activeRoles.insert(role) }
            if let why = targetable {
                admin.untargetable[role] = admin.untargetable[role] ?? why
            } else if eligible {
                admin.targetableEligible.insert(role)
            } else {
                admin.targetableActive.insert(role)
            }
            if let group, !admin.viaGroups.contains(group) { admin.viaGroups.append(group) }
            admins[userID] = admin
        }

        /// Grants `role` to every user a group reaches; eligible members
        /// of the group (PIM for Groups) get it as eligible.
        func grantThroughGroup(
            _ groupID: String, display: String, role: String, eligible: Bool, untargetable: (why: String, certain: Bool)?
        ) {
            let name = membership.name(groupID)
            if !roleHoldingGroups.contains(name) { roleHoldingGroups.append(name) }
            if let why = membership.incompleteness(of: groupID) {
                let text = "\(display.isEmpty ? name : display) (\(why))"
                if !unresolvedGroups.contains(text) { unresolvedGroups.append(text) }
                return
            }
            for member in membership.transitiveMembers(of: groupID) ?? [] {
                add(member, fallbackName: userNames[member] ?? "", role: role, eligible: eligible, targetable: untargetable, via: name)
            }
            for e in f.groupEligibilities.items where e.groupID == groupID && e.accessID == "member" && inForce(e.startUnixMs, e.endUnixMs) {
                let display = e.principalUserPrincipalName.isEmpty ? e.principalDisplayName : e.principalUserPrincipalName
                switch kind(e.principalID, declared: e.principalType) {
                case "user":
                    add(e.principalID, fallbackName: display, role: role, eligible: true, targetable: untargetable, via: name + " (eligible member)")
                case "group":
                    for member in membership.transitiveMembers(of: e.principalID) ?? [] {
                        add(member, fallbackName: "", role: role, eligible: true, targetable: untargetable, via: name + " (eligible member)")
                    }
                    if let why = membership.incompleteness(of: e.principalID) {
                        unresolvedGroups.append("\(membership.name(e.principalID)), an eligible member of \(name) (\(why))")
                    }
                case "servicePrincipal":
                    servicePrincipals += 1
                default:
                    unknownPrincipals.append((e.principalID, roleNames[role] ?? role, "groupEligibilitySchedules.json"))
                }
            }
        }

        func grant(_ a: Secscore_Tenant_V1_RoleAssignment, eligible: Bool, file: String) {
            let role = templateOf[a.roleDefinitionID] ?? a.roleDefinitionID
            guard adminRoles.contains(role) else { return }
            if eligible && !inForce(a.startUnixMs, a.endUnixMs) { return }
            // Role targeting sees tenant-wide assignments of built-in roles.
            // Without roleDefinitions.json, the nine roles of the Partner
            // Center page are known to be built in; others are not.
            let isBuiltIn = builtIn[role] ?? (AdminMFAChecker.defaultAdminRoles[role] != nil)
            var untargetable: (why: String, certain: Bool)?
            if a.directoryScopeID.isEmpty {
                untargetable = ("\(file) gives no directoryScopeId for it", false)
            } else if a.directoryScopeID != "/" {
                untargetable = ("it is held at scope \(a.directoryScopeID), not tenant-wide", true)
            } else if !isBuiltIn {
                untargetable = builtIn[role] == nil ? ("roleDefinitions.json does not say it is built in", false) : ("it is a custom role", true)
            }
            let display = a.principalUserPrincipalName.isEmpty ? a.principalDisplayName : a.principalUserPrincipalName
            switch kind(a.principalID, declared: a.principalType) {
            case "user":
                add(a.principalID, fallbackName: display, role: role, eligible: eligible, targetable: untargetable, via: nil)
            case "group":
                grantThroughGroup(a.principalID, display: display, role: role, eligible: eligible, untargetable: untargetable)
            case "servicePrincipal":
                servicePrincipals += 1
            default:
                unknownPrincipals.append((a.principalID, roleNames[role] ?? role, file))
            }
        }
        for a in f.roleAssignments.items { grant(a, eligible: false, file: "roleAssignments.json") }
        for a in f.roleEligibilities.items { grant(a, eligible: true, file: "roleEligibilitySchedules.json") }
    }
}
