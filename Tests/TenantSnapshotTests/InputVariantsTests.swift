import SecScoreTestSupport
import SecScoreWire
import TenantSnapshot
import Testing

/// Files as people really save them (issue 16): PowerShell's property case
/// and UTF-16, wrapped objects, absent lists, times without a zone. Each is
/// read for what it says, or refused naming the file, the path and the fix;
/// never read as an empty value.
@Suite("Files as people save them")
struct InputVariantsTests {
    @Test func pascalCaseContactIsRefusedNamingTheKeys() {
        let e = loadError("securityContact.json", #"{"Name": "SOC", "Email": "soc@contoso.com", "Phone": "+1 425 555 0100"}"#)
        #expect(e.contains("securityContact.json: $: expected the keys name, email, phone, found Name, Email, Phone"))
        #expect(e.contains("keys are case-sensitive"))
        // Other keys with a required one missing: refused too.
        #expect(loadError("securityContact.json", #"{"name": "SOC", "mail": "soc@contoso.com", "phone": "1"}"#).contains("expected the keys name, email, phone"))
        // An empty object says "no contact"; extra keys beside all three are fine.
        #expect(loadError("securityContact.json", "{}") == "loaded")
        #expect(loadError("securityContact.json", #"{"name": "a", "email": "b", "phone": "c", "notes": "x"}"#) == "loaded")
    }

    @Test func wrappedContactIsUnwrapped() throws {
        let s = try loadSnapshot("securityContact.json", #"{"value": [{"name": "SOC", "email": "soc@contoso.com", "phone": "+1 425 555 0100"}]}"#)
        #expect(s.facets.securityContact.email == "soc@contoso.com")
        #expect(loadError("securityContact.json", #"{"value": [{"name": "a"}, {"name": "b"}]}"#).contains("expected one security contact, found 2"))
    }

    @Test func graphKeysInTheWrongCaseSayHowToExport() {
        let e = loadError("users.json", #"{"value": [{"Id": "u1", "UserPrincipalName": "a@contoso.com"}]}"#)
        #expect(e.contains("$.value[0].id: is missing"))
        #expect(e.contains("found \"Id\": keys are case-sensitive") && e.contains("az rest") && e.contains("Invoke-MgGraphRequest"))
        #expect(loadError("spendingBudgets.json", #"[{"customerTenantId": "c1", "SubscriptionIds": []}]"#).contains("keys are case-sensitive"))
        #expect(loadError("customerMfa.json", #"[{"tenantId": "c1", "TotalAdminsCount": 2}]"#).contains("keys are case-sensitive"))
        #expect(loadError("partner.json", #"{"PartnerType": "directBill"}"#).contains("keys are case-sensitive"))
    }

    @Test func absentSubscriptionListIsUnknownNotEmpty() throws {
        let s = try loadSnapshot("spendingBudgets.json", """
            [{"customerTenantId": "a"}, {"customerTenantId": "b", "subscriptionIds": null},
             {"customerTenantId": "c", "subscriptionIds": []}, {"customerTenantId": "d", "subscriptionIds": ["s"], "budget": {"amount": null}},
             {"customerTenantId": "e", "subscriptionIds": ["s"], "budget": {"amount": 0}}]
            """)
        let c = s.facets.spendingBudgets.items
        #expect(c.map(\.subscriptionIdsUnknown) == [true, true, false, false, false])
        #expect(c.map(\.hasBudget) == [false, false, false, false, true])
    }

    @Test func timesWithoutAZoneAreRefused() {
        let e = loadError("securityAlerts.json", #"[{"id": "a1", "detectedDateTime": "2025-10-16T20:00:00"}]"#)
        #expect(e.contains("securityAlerts.json: $[0].detectedDateTime: has no time zone (\"2025-10-16T20:00:00\")"))
        #expect(loadError("securityAlerts.json", #"[{"id": "a1", "detectedDateTime": "2025-10-16T20:00:00-08:00"}]"#) == "loaded")
        #expect(loadError("roleEligibilitySchedules.json", #"[{"principalId": "p", "roleDefinitionId": "r", "scheduleInfo": {"startDateTime": "2025-01-01T00:00"}}]"#).contains("has no time zone"))
    }

    static func utf16(_ text: String, littleEndian: Bool, bom: Bool = true) -> [UInt8] {
        var out: [UInt8] = bom ? (littleEndian ? [0xFF, 0xFE] : [0xFE, 0xFF]) : []
        for unit in text.utf16 {
            let lo = UInt8(unit & 0xFF), hi = UInt8(unit >> 8)
            out += littleEndian ? [lo, hi] : [hi, lo]
        }
        return out
    }

    @Test func utf16FromWindowsPowerShellIsRead() throws {
        let json = #"{"name": "Sécurité SOC", "email": "soc@contoso.com", "phone": "+1 425 555 0100"}"#
        for le in [true, false] {
            let dir = ScratchDirectory()
            dir.writeBytes("securityContact.json", Self.utf16(json, littleEndian: le))
            let s = try SnapshotLoader.load(directory: dir.path)
            #expect(s.facets.securityContact.name == "Sécurité SOC")
        }
        let dir = ScratchDirectory()
        dir.writeBytes("users.json", Self.utf16(#"{"value": [{"id": "u1"}]}"#, littleEndian: true, bom: false))
        #expect(throws: SnapshotError.self) { try SnapshotLoader.load(directory: dir.path) }
        do {
            _ = try SnapshotLoader.load(directory: dir.path)
        } catch {
            #expect(error.description.contains("looks like UTF-16 without a byte-order mark") && error.description.contains("Out-File -Encoding utf8"))
        }
    }

    @Test func unreadFilesAreListed() throws {
        let dir = ScratchDirectory()
        dir.write("users.json", "[]")
        dir.write("CustomerMFA.csv", "a,b\n")
        dir.write("spendingbudgets.json", "[]")
        dir.write("README.md", "notes")
        let s = try SnapshotLoader.load(directory: dir.path)
        #expect(s.unreadFiles == ["CustomerMFA.csv", "spendingbudgets.json"])
    }
}
