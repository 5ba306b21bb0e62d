import SecScoreTestSupport
import SecScoreWire
import TenantSnapshot
import Testing

/// What the admin-MFA check needs to tell "unknown" from "none": nested and
/// transitive group members, groups exported without members, null
/// registrations, external-user fields and PIM for Groups eligibilities.
@Suite("Admin data keeps unknown apart from none")
struct AdminDataDecodingTests {
    @Test func groupsSplitNestedGroupsAndKnowWhenMembersAreMissing() throws {
        let s = try loadSnapshot("groups.json", """
            {"value": [
              {"id": "outer", "displayName": "Outer", "members": [
                {"@odata.type": "#microsoft.graph.group", "id": "inner"},
                {"@odata.type": "#microsoft.graph.user", "id": "u1"}]},
              {"id": "inner", "transitiveMembers": [{"@odata.type": "#microsoft.graph.user", "id": "u2"}],
               "members": [{"@odata.type": "#microsoft.graph.user", "id": "u2"}]},
              {"id": "bare", "displayName": "Listed without members"}
            ]}
            """)
        let g = s.facets.groups.items
        #expect(g[0].memberIds == ["u1"] && g[0].memberGroupIds == ["inner"] && !g[0].membersUnknown)
        #expect(g[1].memberIds == ["u2"] && !g[1].membersUnknown)  // the same member in both lists, once
        #expect(g[2].memberIds.isEmpty && g[2].membersUnknown)
    }

    @Test func aCutShortMemberListIsRefused() {
        let e = loadError("groups.json", #"{"value": [{"id": "g1", "members": [{"id": "u1"}], "members@odata.nextLink": "https://graph.microsoft.com/v1.0/groups/g1/members?$skiptoken=x"}]}"#)
        #expect(e.contains("$.value[0].members@odata.nextLink: is set: the expanded members list is cut short"))
        #expect(e.contains("transitiveMembers"))
    }

    @Test func nullRegistrationIsUnknownNotFalse() throws {
        let s = try loadSnapshot("userRegistrationDetails.json", #"{"value": [{"id": "a", "isMfaRegistered": null}, {"id": "b", "isMfaRegistered": false}, {"id": "c"}]}"#)
        let r = s.facets.registrationDetails.items
        #expect(r.map(\.mfaRegistrationUnknown) == [true, false, true])
        #expect(r.map(\.isMfaRegistered) == [false, false, false])
    }

    @Test func usersCarryWhatTellsAGuestApart() throws {
        let s = try loadSnapshot("users.json", """
            {"value": [{"id": "u1", "userType": "Guest", "externalUserState": "Accepted", "creationType": "Invitation",
              "identities": [{"signInType": "federated", "issuer": "ExternalAzureAD", "issuerAssignedId": null}]}]}
            """)
        let u = try #require(s.facets.users.items.first)
        #expect(u.externalUserState == "Accepted" && u.creationType == "Invitation" && u.identityIssuers == ["ExternalAzureAD"])
    }

    @Test func pimForGroupsEligibilitiesLoad() throws {
        let s = try loadSnapshot("groupEligibilitySchedules.json", """
            {"value": [{"id": "e1", "groupId": "g1", "principalId": "u1", "accessId": "member", "memberType": "direct",
              "status": "Provisioned", "principal": {"@odata.type": "#microsoft.graph.user", "userPrincipalName": "u1@contoso.com"},
              "scheduleInfo": {"startDateTime": "2025-01-01T00:00:00Z", "expiration": {"type": "noExpiration", "endDateTime": null}}}]}
            """)
        let e = try #require(s.facets.groupEligibilities.items.first)
        #expect(s.presentFacets.contains(.groupEligibilities))
        #expect(e.groupID == "g1" && e.principalID == "u1" && e.accessID == "member" && e.principalType == "user")
        #expect(e.startUnixMs == 1_735_689_600_000 && e.endUnixMs == 0)
        #expect(loadError("groupEligibilitySchedules.json", #"[{"groupId": "g1", "principalId": "u1"}]"#).contains("accessId: is missing; expected member or owner"))
    }
}
