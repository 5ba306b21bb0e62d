public import SecScoreWire

/// Group membership as Entra applies it to Conditional Access and role
/// assignment: a group reaches the members of its nested groups at any depth
/// (Microsoft Entra documentation, "Conditional Access: Users, groups and
/// workload identities": policies apply to nested users and groups).
/// Membership cycles are guarded. A group whose members were not exported,
/// or that nests such a group, is incomplete: not finding someone in it
/// proves nothing.
public struct GroupMembership: Sendable {
    let groups: [String: Secscore_Tenant_V1_Group]
    /// Child (user or group) id → the groups that list it directly.
    let parents: [String: [String]]

    public init(_ groups: [Secscore_Tenant_V1_Group]) {
        var byID: [String: Secscore_Tenant_V1_Group] = [:]
        var parents: [String: [String]] = [:]
        for g in groups where byID[g.id] == nil {
            byID[g.id] = g
            for m in g.memberIds { parents[m, default: []].append(g.id) }
            for m in g.memberGroupIds { parents[m, default: []].append(g.id) }
        }
        self.groups = byID
        self.parents = parents
    }

    public func group(_ id: String) -> Secscore_Tenant_V1_Group? { groups[id] }

    /// The display name of a group, or its id.
    public func name(_ id: String) -> String {
        guard let g = groups[id], !g.displayName.isEmpty else { return id }
        return g.displayName
    }

    /// Every group that contains `principalID` directly or through nested
    /// groups, each with the chain that leads there, outermost first
    /// (["Outer", "Inner"] when the principal is in Inner, which is in Outer).
    public func groupsContaining(_ principalID: String) -> [String: [String]] {
        var chains: [String: [String]] = [:]
        // Breadth first, so each group gets its shortest chain.
        var frontier: [(id: String, chain: [String])] = (parents[principalID] ?? []).map { ($0, [name($0)]) }
        while !frontier.isEmpty {
            var next: [(id: String, chain: [String])] = []
            for (id, chain) in frontier where chains[id] == nil {
                chains[id] = chain
                for parent in parents[id] ?? [] where chains[parent] == nil {
                    next.append((parent, [name(parent)] + chain))
                }
            }
            frontier = next
        }
        return chains
    }

    /// Non-group members of `groupID` at any depth; nil for a group not in
    /// the snapshot.
    public func transitiveMembers(of groupID: String) -> [String]? {
        guard groups[groupID] != nil else { return nil }
        var seen = Set<String>()
        var members: [String] = []
        var memberSet = Set<String>()
        var pending = [groupID]
        while let id = pending.popLast() {
            guard seen.insert(id).inserted, let g = groups[id] else { continue }
            for m in g.memberIds {
                // A member listed without its @odata.type that is itself a
                // group of the snapshot is a nested group.
                if groups[m] != nil { pending.append(m) } else if memberSet.insert(m).inserted { members.append(m) }
            }
            pending += g.memberGroupIds
        }
        return members
    }

    /// Why the membership of `groupID` is not fully known, or nil when it
    /// is: the group (or a group nested in it) is not in the snapshot, or
    /// was exported without its members.
    public func incompleteness(of groupID: String) -> String? {
        var seen = Set<String>()
        var pending = [groupID]
        while let id = pending.popLast() {
            guard seen.insert(id).inserted else { continue }
            guard let g = groups[id] else {
                return id == groupID ? "group \(id) is not in groups.json" : "it nests group \(id), which is not in groups.json"
            }
            if g.membersUnknown {
                return id == groupID
                    ? "group \(name(id)) was exported without its members"
                    : "it nests group \(name(id)), which was exported without its members"
            }
            pending += g.memberGroupIds + g.memberIds.filter { groups[$0] != nil }
        }
        return nil
    }
}
