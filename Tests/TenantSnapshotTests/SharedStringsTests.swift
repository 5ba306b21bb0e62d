import SecScoreWire
import SecScoreTestSupport
@testable import TenantSnapshot
import Testing

/// Where a string's UTF-8 bytes are stored: equal for two strings that
/// share one heap copy; nil for a small string kept inline.
func storage(_ s: String) -> UnsafeRawPointer? {
    guard s.utf8.count > 15 else { return nil }
    return s.utf8.withContiguousStorageIfAvailable { UnsafeRawPointer($0.baseAddress) } ?? nil
}

/// Two copies of `s` with storage of their own (not shared with `s`).
func freshCopy(_ s: String) -> String { String(decoding: Array(s.utf8), as: UTF8.self) }

/// `ValueInterner` and the loader's sharing of equal strings change where
/// values are stored, never what they are.
@Suite("Shared strings")
struct SharedStringsTests {
    @Test func repeatedLongStringsAndListsShareOneCopy() {
        var interner = ValueInterner()
        let type = "networkConnectionsToCryptoMiningPools"
        let first = interner.string(freshCopy(type))
        let second = interner.string(freshCopy(type))
        #expect(first == type && second == type)
        #expect(storage(first) != nil && storage(first) == storage(second))

        let methods = ["microsoftAuthenticatorPush", "mobilePhone"]
        let a = interner.list(methods.map(freshCopy))
        let b = interner.list(methods.map(freshCopy))
        #expect(a == methods && b == methods)
        #expect(a.withUnsafeBufferPointer { $0.baseAddress } == b.withUnsafeBufferPointer { $0.baseAddress })
        // The list's long string is the one already kept on its own.
        #expect(storage(interner.string(freshCopy("microsoftAuthenticatorPush"))) == storage(a[0]))
        #expect(interner.list([]) == [])
        #expect(interner.string("short") == "short")
    }

    /// A field of unique values stops being kept at the capacity; what was
    /// kept before stays shared, and every value still comes back equal.
    @Test func uniqueValuesStopAtTheCapacity() {
        var interner = ValueInterner()
        let kept = interner.string(freshCopy("customer-tenant-0000-repeated"))
        for i in 0..<(ValueInterner.capacity + 100) {
            let id = "00000004-002a-4000-8000-\(i)"
            #expect(interner.string(id) == id)
        }
        let late = "00000004-002a-4000-8000-late-value"
        let lateFirst = interner.string(freshCopy(late))
        let lateSecond = interner.string(freshCopy(late))
        #expect(lateFirst == late && lateSecond == late)
        #expect(storage(lateFirst) != storage(lateSecond))
        #expect(storage(interner.string(freshCopy("customer-tenant-0000-repeated"))) == storage(kept))
    }

    static let users = """
        {"value": [
          {"id": "00000001-002a-4000-8000-000000000001", "userPrincipalName": "alice.admin@partner.example.com", "displayName": "Alice Administrator of Things"},
          {"id": "00000001-002a-4000-8000-000000000002", "userPrincipalName": "bob.operator@partner.example.com", "displayName": "Bob"},
          {"id": "00000001-002a-4000-8000-000000000003", "userPrincipalName": "carol.guest@partner.example.com", "displayName": "Carol"}
        ]}
        """

    /// Registrations in another order than users, one whose user principal
    /// name differs from its user's (renamed between the two exports), and
    /// one of a user not in users.json.
    static let registrations = """
        {"value": [
          {"id": "00000001-002a-4000-8000-000000000002", "userPrincipalName": "bob.operator@partner.example.com", "userDisplayName": "Bob", "isAdmin": false, "isMfaRegistered": true, "isMfaCapable": true, "methodsRegistered": ["microsoftAuthenticatorPush"]},
          {"id": "00000001-002a-4000-8000-000000000001", "userPrincipalName": "alice.renamed@partner.example.com", "userDisplayName": "Alice Administrator of Things", "isAdmin": true, "isMfaRegistered": true, "isMfaCapable": true, "methodsRegistered": ["microsoftAuthenticatorPush"]},
          {"id": "00000001-002a-4000-8000-000000000009", "userPrincipalName": "dave.departed@partner.example.com", "isAdmin": false, "isMfaRegistered": null, "methodsRegistered": []}
        ]}
        """

    @Test func registrationsShareTheirUsersStringsWhereEqual() throws {
        let dir = ScratchDirectory()
        dir.write("users.json", Self.users)
        dir.write("userRegistrationDetails.json", Self.registrations)
        let facets = try SnapshotLoader.load(directory: dir.path).facets
        let users = facets.users.items
        let details = facets.registrationDetails.items
        #expect(details.map(\.id) == [
            "00000001-002a-4000-8000-000000000002", "00000001-002a-4000-8000-000000000001", "00000001-002a-4000-8000-000000000009",
        ])
        #expect(details.map(\.userPrincipalName) == [
            "bob.operator@partner.example.com", "alice.renamed@partner.example.com", "dave.departed@partner.example.com",
        ])
        #expect(details.map(\.userDisplayName) == ["Bob", "Alice Administrator of Things", ""])
        #expect(details.map(\.methodsRegistered) == [["microsoftAuthenticatorPush"], ["microsoftAuthenticatorPush"], []])
        #expect(details.map(\.mfaRegistrationUnknown) == [false, false, true])

        #expect(storage(details[0].id) == storage(users[1].id))
        #expect(storage(details[0].userPrincipalName) == storage(users[1].userPrincipalName))
        #expect(storage(details[1].id) == storage(users[0].id))
        #expect(storage(details[1].userDisplayName) == storage(users[0].displayName))
        // Not equal, so not shared: the registration keeps its own value.
        #expect(storage(details[1].userPrincipalName) != storage(users[0].userPrincipalName))
        #expect(storage(details[0].methodsRegistered[0]) == storage(details[1].methodsRegistered[0]))
        #expect(facets.hasRegistrationDetails && facets.hasUsers)
    }

    /// The same files load to equal facets whichever order the items come
    /// in (the pass takes the same-position shortcut or the index).
    @Test func sameOrderAndOtherOrderLoadTheSameValues() throws {
        let dir = ScratchDirectory()
        dir.write("users.json", Self.users)
        let sameOrder = """
            {"value": [
              {"id": "00000001-002a-4000-8000-000000000001", "userPrincipalName": "alice.admin@partner.example.com", "isMfaRegistered": true},
              {"id": "00000001-002a-4000-8000-000000000002", "userPrincipalName": "bob.operator@partner.example.com", "isMfaRegistered": false}
            ]}
            """
        dir.write("userRegistrationDetails.json", sameOrder)
        let facets = try SnapshotLoader.load(directory: dir.path).facets
        var expected = Secscore_Tenant_V1_RegistrationDetails()
        for (id, upn, registered) in [
            ("00000001-002a-4000-8000-000000000001", "alice.admin@partner.example.com", true),
            ("00000001-002a-4000-8000-000000000002", "bob.operator@partner.example.com", false),
        ] {
            var r = Secscore_Tenant_V1_RegistrationDetail()
            r.id = id
            r.userPrincipalName = upn
            r.isMfaRegistered = registered
            expected.items.append(r)
        }
        #expect(facets.registrationDetails == expected)
        #expect(storage(facets.registrationDetails.items[1].userPrincipalName) == storage(facets.users.items[1].userPrincipalName))
    }
}
