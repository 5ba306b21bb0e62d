import SecScoreJSON
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

/// A copy of `s` with storage of its own (not shared with `s`).
func freshCopy(_ s: String) -> String { String(decoding: Array(s.utf8), as: UTF8.self) }

/// True when `a` and `b` are one heap copy (both stored out of line).
func shareStorage(_ a: String, _ b: String) -> Bool {
    guard let first = storage(a) else { return false }
    return first == storage(b)
}

/// "é" precomposed (NFC) and decomposed (NFD): `==` says equal, their
/// UTF-8 bytes differ.
let precomposed = "ren\u{E9}e.administrator@partner.example.com"
let decomposed = "rene\u{301}e.administrator@partner.example.com"

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
        #expect(shareStorage(first, second))

        let methods = ["microsoftAuthenticatorPush", "mobilePhone"]
        let a = interner.list(methods.map(freshCopy))
        let b = interner.list(methods.map(freshCopy))
        #expect(a == methods && b == methods)
        #expect(a.withUnsafeBufferPointer { $0.baseAddress } == b.withUnsafeBufferPointer { $0.baseAddress })
        // The list's long string is the one already kept on its own.
        #expect(shareStorage(interner.string(freshCopy("microsoftAuthenticatorPush")), a[0]))
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
        #expect(shareStorage(interner.string(freshCopy("customer-tenant-0000-repeated")), kept))
    }

    /// A list read from JSON by `list(_:of:)` is the list `list` makes of
    /// `strings`, errors included, whatever the lists before it; one the
    /// same, byte for byte, as a recent one is that very list.
    @Test func listsReadFromJSONMatchListsBuiltFirst() throws {
        let methods = ["microsoftAuthenticatorPush", "mobilePhone", "softwareOneTimePasscode", "fido2SecurityKey", "windowsHelloForBusiness", "email"]
        // Six distinct lists (more than the recent ones kept), repeated in
        // turns, then NFC/NFD twins that `==` finds equal and bytes do not.
        var values: [String] = (0..<40).map { i in
            let list = Array(methods.prefix(1 + i % 6)).map { "\"\($0)\"" }.joined(separator: ", ")
            return "[\(list)]"
        }
        values += ["[\"\(precomposed)\"]", "[\"\(decomposed)\"]", "[\"\(precomposed)\"]", "[]", "null", "[\"a\", 3]", "\"mobilePhone\"", "[\"mobilePhone\", null]"]
        var fromJSON = ValueInterner()
        var built = ValueInterner()
        var first: [[[UInt8]]: [String]] = [:]
        var sharedRepeats = 0
        for (i, text) in values.enumerated() {
            let node = JSONNode.snapshot(element: try JSONParser.parse(Array("{\"m\": \(text)}".utf8)), at: i, of: "$.value", file: "f.json")
            let expected = Result { () throws(JSONInputError) in built.list(try node.strings("m") ?? []) }
            let read = Result { () throws(JSONInputError) in try fromJSON.list("m", of: node) }
            switch (expected, read) {
            case (.success(let e), .success(let r)):
                let bytes = r.map { Array($0.utf8) }
                #expect(e.map { Array($0.utf8) } == bytes, "\(text)")
                // A list seen before comes back as that list.
                if let earlier = first[bytes], !r.isEmpty {
                    #expect(earlier.withUnsafeBufferPointer { $0.baseAddress } == r.withUnsafeBufferPointer { $0.baseAddress }, "\(text) not shared")
                    sharedRepeats += 1
                } else {
                    first[bytes] = r
                }
            case (.failure(let e), .failure(let r)):
                #expect(e.description == r.description)
            default:
                Issue.record("\(text): \(expected) against \(read)")
            }
        }
        #expect(sharedRepeats == 35)
        // The decomposed twin came back with its own bytes.
        let twin = try fromJSON.list("m", of: JSONNode.snapshot(JSONParser.parse(Array("{\"m\": [\"\(decomposed)\"]}".utf8)), file: "f.json"))
        #expect(Array(twin[0].utf8) == Array(decomposed.utf8))
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

        #expect(shareStorage(details[0].id, users[1].id))
        #expect(shareStorage(details[0].userPrincipalName, users[1].userPrincipalName))
        #expect(shareStorage(details[1].id, users[0].id))
        #expect(shareStorage(details[1].userDisplayName, users[0].displayName))
        // Not equal, so not shared: the registration keeps its own value.
        #expect(storage(details[1].userPrincipalName) != nil)
        #expect(!shareStorage(details[1].userPrincipalName, users[0].userPrincipalName))
        #expect(shareStorage(details[0].methodsRegistered[0], details[1].methodsRegistered[0]))
    }

    /// The same registrations load to the same values whether they come in
    /// users.json's order (the same-position shortcut) or reversed (the
    /// index), and share their users' strings either way.
    @Test func sameOrderAndOtherOrderLoadTheSameValues() throws {
        let registrations = [
            #"{"id": "00000001-002a-4000-8000-000000000001", "userPrincipalName": "alice.admin@partner.example.com", "userDisplayName": "Alice Administrator of Things", "isMfaRegistered": true}"#,
            #"{"id": "00000001-002a-4000-8000-000000000002", "userPrincipalName": "bob.operator@partner.example.com", "isMfaRegistered": false}"#,
            #"{"id": "00000001-002a-4000-8000-000000000003", "userPrincipalName": "carol.guest@partner.example.com", "userDisplayName": "Carol"}"#,
        ]
        func load(_ items: [String]) throws -> Secscore_Tenant_V1_Facets {
            let dir = ScratchDirectory()
            dir.write("users.json", Self.users)
            dir.write("userRegistrationDetails.json", #"{"value": ["# + items.joined(separator: ",") + "]}")
            return try SnapshotLoader.load(directory: dir.path).facets
        }
        let same = try load(registrations)
        let reversed = try load(registrations.reversed())
        #expect(same.registrationDetails.items == reversed.registrationDetails.items.reversed())
        #expect(same.registrationDetails.items.map(\.userPrincipalName) == same.users.items.map(\.userPrincipalName))
        #expect(same.registrationDetails.items.map(\.isMfaRegistered) == [true, false, false])
        #expect(same.registrationDetails.items.map(\.mfaRegistrationUnknown) == [false, false, true])
        for facets in [same, reversed] {
            let users = facets.users.items
            for detail in facets.registrationDetails.items {
                let user = try #require(users.first { $0.id == detail.id })
                #expect(shareStorage(detail.id, user.id))
                #expect(shareStorage(detail.userPrincipalName, user.userPrincipalName))
            }
        }
    }

    /// Equal under `==` (canonical equivalence) is not equal bytes: a value
    /// is shared only with one of the same bytes, so sharing never turns a
    /// decomposed name into its precomposed twin or back.
    @Test func canonicallyEquivalentStringsKeepTheirOwnBytes() throws {
        #expect(precomposed == decomposed && !precomposed.hasSameUTF8(as: decomposed))
        var interner = ValueInterner()
        #expect(Array(interner.string(precomposed).utf8) == Array(precomposed.utf8))
        #expect(Array(interner.string(decomposed).utf8) == Array(decomposed.utf8))
        let list = interner.list([precomposed])
        #expect(list.map { Array($0.utf8) } == [Array(precomposed.utf8)])
        #expect(interner.list([freshCopy(decomposed)]).map { Array($0.utf8) } == [Array(decomposed.utf8)])
        #expect(interner.list([freshCopy(precomposed)]).map { Array($0.utf8) } == [Array(precomposed.utf8)])

        let dir = ScratchDirectory()
        dir.write("users.json", #"{"value": [{"id": "00000001-002a-4000-8000-000000000001", "userPrincipalName": "\#(precomposed)", "displayName": "\#(precomposed)"}]}"#)
        dir.write("userRegistrationDetails.json", #"{"value": [{"id": "00000001-002a-4000-8000-000000000001", "userPrincipalName": "\#(decomposed)", "userDisplayName": "\#(decomposed)"}]}"#)
        let facets = try SnapshotLoader.load(directory: dir.path).facets
        let detail = try #require(facets.registrationDetails.items.first)
        #expect(Array(detail.userPrincipalName.utf8) == Array(decomposed.utf8))
        #expect(Array(detail.userDisplayName.utf8) == Array(decomposed.utf8))
        #expect(Array(facets.users.items[0].userPrincipalName.utf8) == Array(precomposed.utf8))
        #expect(shareStorage(detail.id, facets.users.items[0].id))
    }

    /// Users' and alerts' repeating values are shared through the loader.
    @Test func usersAndAlertsShareTheirRepeatingValues() throws {
        let dir = ScratchDirectory()
        let issuer = "partnerexample.onmicrosoft.com"
        dir.write("users.json", #"{"value": ["# + (1...3).map { i in
            #"{"id": "00000001-002a-4000-8000-00000000000\#(i)", "creationType": "LocalAccountInvitation", "externalUserState": "PendingAcceptance", "identities": [{"signInType": "userPrincipalName", "issuer": "\#(issuer)"}]}"#
        }.joined(separator: ",") + "]}")
        let customer = "00000004-002a-4000-8000-00000000cafe"
        dir.write("securityAlerts.json", #"{"value": ["# + (1...3).map { i in
            #"{"id": "alert-\#(i)", "alertType": "networkConnectionsToCryptoMiningPools", "customerTenantId": "\#(customer)", "detectedDateTime": "2026-11-0\#(i)T10:00:00Z", "resolvedBy": "security-operations@partner.example.com", "activityLogs": [{"statusFrom": "active", "statusTo": "resolved", "updatedBy": "security-operations@partner.example.com", "updatedDateTime": "2026-11-0\#(i)T12:00:00Z"}]}"#
        }.joined(separator: ",") + "]}")
        let facets = try SnapshotLoader.load(directory: dir.path).facets
        let users = facets.users.items
        #expect(users.map(\.identityIssuers) == Array(repeating: [issuer], count: 3))
        #expect(users.map(\.externalUserState) == Array(repeating: "PendingAcceptance", count: 3))
        #expect(users.map(\.creationType) == Array(repeating: "LocalAccountInvitation", count: 3))
        let alerts = facets.securityAlerts.items
        #expect(alerts.map(\.customerTenantID) == Array(repeating: customer, count: 3))
        for i in 1..<3 {
            #expect(users[i].identityIssuers.withUnsafeBufferPointer { $0.baseAddress } == users[0].identityIssuers.withUnsafeBufferPointer { $0.baseAddress })
            #expect(shareStorage(users[i].identityIssuers[0], users[0].identityIssuers[0]))
            #expect(shareStorage(users[i].externalUserState, users[0].externalUserState))
            #expect(shareStorage(users[i].creationType, users[0].creationType))
            #expect(shareStorage(alerts[i].alertType, alerts[0].alertType))
            #expect(shareStorage(alerts[i].customerTenantID, alerts[0].customerTenantID))
            #expect(shareStorage(alerts[i].resolvedBy, alerts[0].resolvedBy))
            #expect(shareStorage(alerts[i].activityLogs[0].updatedBy, alerts[0].resolvedBy))
        }
    }
}
