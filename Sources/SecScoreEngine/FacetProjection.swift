public import SecScoreWire
public import TenantSnapshot

/// What a check is sent: only the facets it declared and, for a check whose
/// principal scope is role holders, only the principals that hold a role.
/// Least privilege is the engine's decision, not the snapshot's: a check
/// sees no more of the tenant than it declared it needs.
public enum FacetProjection {
    /// The facets of `wanted` that `snapshot` has, narrowed to `scope`.
    ///
    /// For `.roleHolders`: the principals of every role assignment and
    /// eligibility schedule, the eligible members of groups that hold a role
    /// (PIM for Groups), and the members of those groups at any depth.
    /// Nested-group links are kept whole: a check needs them to tell who a
    /// group named in a Conditional Access policy reaches.
    public static func facets(
        of snapshot: TenantSnapshot, only wanted: some Sequence<Secscore_Tenant_V1_Facet>,
        scope: Secscore_Plugin_V1_PrincipalScope
    ) -> Secscore_Tenant_V1_Facets {
        var out = snapshot.facets(only: wanted)
        guard scope == .roleHolders else { return out }
        let facets = snapshot.facets
        var holders = Set<String>()
        for a in facets.roleAssignments.items { holders.insert(a.principalID) }
        for a in facets.roleEligibilities.items { holders.insert(a.principalID) }
        for e in facets.groupEligibilities.items where holders.contains(e.groupID) { holders.insert(e.principalID) }
        let byID = Dictionary(facets.groups.items.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var pending = Array(holders.filter { byID[$0] != nil })
        var expanded = Set<String>()
        while let id = pending.popLast() {
            guard expanded.insert(id).inserted, let g = byID[id] else { continue }
            holders.formUnion(g.memberIds)
            for nested in g.memberGroupIds + g.memberIds.filter({ byID[$0] != nil }) {
                holders.insert(nested)
                pending.append(nested)
            }
            for e in facets.groupEligibilities.items where e.groupID == id {
                holders.insert(e.principalID)
                if byID[e.principalID] != nil { pending.append(e.principalID) }
            }
        }
        // Filtered into new arrays: removing from `out`'s arrays, which share
        // their storage with the snapshot's, first copied all 1,000,000 users
        // and registrations of the largest benchmark tenant, for every check.
        let isHolder = PrincipalFilter(holders)
        if !out.users.items.isEmpty {
            let users = facets.users.items
            out.users.items = kept(users) { isHolder.contains(users[$0].id) }
        }
        if !out.registrationDetails.items.isEmpty {
            let registrations = facets.registrationDetails.items
            out.registrationDetails.items = kept(registrations) { isHolder.contains(registrations[$0].id) }
        }
        if !out.groups.items.isEmpty {
            out.groups.items = out.groups.items.map { g in
                var g = g
                g.memberIds.removeAll { !isHolder.contains($0) && byID[$0] == nil }
                return g
            }
        }
        if !out.groupEligibilities.items.isEmpty {
            out.groupEligibilities.items = facets.groupEligibilities.items.filter { isHolder.contains($0.principalID) }
        }
        return out
    }

    /// The items at the positions `keep` accepts, in order. Each item is
    /// tested where it lies and only a kept one is copied: `filter` copies
    /// every item to test it (a retain and a release for each of its
    /// strings), which for the 1,000,000 users and registrations of the
    /// largest benchmark tenant was half of this projection's time (perf).
    private static func kept<Item>(_ items: [Item], _ keep: (Int) -> Bool) -> [Item] {
        var out: [Item] = []
        for i in items.indices where keep(i) { out.append(items[i]) }
        return out
    }
}
