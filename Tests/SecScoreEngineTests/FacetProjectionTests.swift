import SecScoreEngine
import SecScoreTestSupport
import SecScoreWire
import TenantSnapshot
import Testing

/// The engine's least-privilege projection of a snapshot.
@Suite("Facet projection")
struct FacetProjectionTests {
    @Test func roleHoldersScopeKeepsNestedGroupsAndEligibleMembers() throws {
        let dir = ScratchDirectory()
        dir.write("roleAssignments.json", #"[{"id": "a1", "principalId": "role-group", "roleDefinitionId": "62e90394-69f5-4237-9190-012177145e10", "directoryScopeId": "/"}]"#)
        dir.write("groups.json", """
            [{"id": "role-group", "members": [{"@odata.type": "#microsoft.graph.group", "id": "nested"}]},
             {"id": "nested", "members": [{"id": "admin"}]},
             {"id": "ca-exclusions", "members": [{"id": "admin"}, {"id": "someone-else"}, {"@odata.type": "#microsoft.graph.group", "id": "nested"}]}]
            """)
        dir.write("groupEligibilitySchedules.json", #"[{"groupId": "role-group", "principalId": "eligible-admin", "accessId": "member"}]"#)
        dir.write("users.json", #"[{"id": "admin"}, {"id": "eligible-admin"}, {"id": "someone-else"}]"#)
        let s = try SnapshotLoader.load(directory: dir.path)
        let scoped = FacetProjection.facets(of: s, only: [.users, .groups, .groupEligibilities, .roleAssignments], scope: .roleHolders)
        #expect(Set(scoped.users.items.map(\.id)) == ["admin", "eligible-admin"])
        let exclusions = try #require(scoped.groups.items.first { $0.id == "ca-exclusions" })
        #expect(exclusions.memberIds == ["admin"] && exclusions.memberGroupIds == ["nested"])
        #expect(scoped.groupEligibilities.items.map(\.principalID) == ["eligible-admin"])
    }
}
