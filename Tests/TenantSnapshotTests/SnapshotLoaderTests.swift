import Foundation
import Glibc
import SecScoreWire
import TenantSnapshot
import SecScoreTestSupport
import Testing

typealias TempSnapshot = ScratchDirectory

extension ScratchDirectory {
    func copy(_ source: String, as name: String) throws {
        write(name, try readFile(source))
    }
}

func readFile(_ path: String) throws -> String {
    guard let f = fopen(path, "rb") else { throw SnapshotError(file: path, path: "", "missing") }
    defer { fclose(f) }
    var bytes: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&buf, 1, buf.count, f)
        if n == 0 { break }
        bytes += buf[..<n]
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// The suite's own bodies in the shapes Graph publishes
/// (Tests/Fixtures/graph-shapes/README.md says which response each mirrors).
let shapes = fixture("Tests/Fixtures/graph-shapes") + "/"

/// Microsoft's published examples themselves, which developer machines keep
/// beside the checkout. Only `PublishedSampleTests` reads them, as an extra.
let published = repositoryRoot + "/../shared/graph-samples/"  // standalone-check: optional-external
let publishedSamplesPresent = access(published + "README.md", R_OK) == 0

/// Each sample (a fixture, and a published example of the same name) and
/// the snapshot file it is loaded as.
let graphSamples: [(String, String)] = [
    ("conditionalAccessPolicies.json", "conditionalAccessPolicies.json"),
    ("conditionalAccessPolicies-legacy-v1.json", "conditionalAccessPolicies.json"),
    ("conditionalAccessPolicies-beta-agents.json", "conditionalAccessPolicies.json"),
    ("conditionalAccessPolicy-get.json", "conditionalAccessPolicies.json"),
    ("userRegistrationDetails.json", "userRegistrationDetails.json"),
    ("roleAssignments.json", "roleAssignments.json"),
    ("roleAssignments-filterPrincipalId.json", "roleAssignments.json"),
    ("roleDefinitions.json", "roleDefinitions.json"),
    ("roleEligibilitySchedules.json", "roleEligibilitySchedules.json"),
    ("securityDefaults.json", "securityDefaults.json"),
    ("groups.json", "groups.json"),
    ("groups-default.json", "groups.json"),
    ("users.json", "users.json"),
    ("users-signInActivity.json", "users.json"),
    ("securityAlerts.json", "securityAlerts.json"),
    ("securityAlerts-docsContrib-10f547a.json", "securityAlerts.json"),
    ("partnerCustomerInsights.json", "customerMfa.json"),
]

/// The same checks for the fixtures and for the published examples: both
/// folders hold a file of each name.
enum SampleChecks {
    static func loads(_ folder: String, _ sample: String, as name: String) throws {
        let dir = TempSnapshot()
        try dir.copy(folder + sample, as: name)
        let snapshot = try SnapshotLoader.load(directory: dir.path)
        #expect(snapshot.presentFacets.count == 1, "\(sample) as \(name)")
    }

    static func shapesAreNormalised(_ folder: String) throws {
        let dir = TempSnapshot()
        try dir.copy(folder + "securityAlerts-docsContrib-10f547a.json", as: "securityAlerts.json")
        try dir.copy(folder + "conditionalAccessPolicies.json", as: "conditionalAccessPolicies.json")
        try dir.copy(folder + "roleEligibilitySchedules.json", as: "roleEligibilitySchedules.json")
        try dir.copy(folder + "partnerCustomerInsights.json", as: "customerMfa.json")
        let s = try SnapshotLoader.load(directory: dir.path)
        let alert = try #require(s.facets.securityAlerts.items.first)
        #expect(alert.isTest == false)  // "isTest": "false" as a string
        #expect(alert.activityLogs.count == 2)
        #expect(alert.detectedUnixMs == 1_706_025_813_050)  // 2024-01-23T16:03:33.05Z
        let policies = s.facets.conditionalAccessPolicies.items
        #expect(policies.contains { $0.hasAuthenticationStrength && $0.authenticationStrength.requirementsSatisfied == "mfa" })
        let eligibility = try #require(s.facets.roleEligibilities.items.first)
        #expect(eligibility.endUnixMs == 1_712_707_200_000)  // 2024-04-10
        let customer = try #require(s.facets.customerMfa.items.first)
        #expect(customer.mfaEnabledAdminsCount == 1)
        #expect(customer.totalAdminsCount == -1)  // Graph's shape has no admin total
    }

    static func perUserMfaLoadsWithItsUser(_ folder: String) throws {
        let dir = TempSnapshot()
        try dir.copy(folder + "users.json", as: "users.json")
        let snapshot = try SnapshotLoader.load(directory: dir.path)
        let id = try #require(snapshot.facets.users.items.first?.id)
        // Graph returns {"perUserMfaState": "enforced"} per user; the file adds the id.
        let sample = try readFile(folder + "perUserMfa.json").trimmedText()
        dir.write("perUserMfa.json", "{\"value\": [{\"id\": \"\(id)\", " + sample.dropFirst() + "]}")
        let merged = try SnapshotLoader.load(directory: dir.path)
        #expect(merged.facets.users.items.first?.perUserMfaState == .enforced)
    }
}

@Suite("Graph's response shapes load")
struct GraphShapeTests {
    @Test(arguments: graphSamples)
    func sampleLoads(_ sample: String, as name: String) throws {
        try SampleChecks.loads(shapes, sample, as: name)
    }

    @Test func shapesAreNormalised() throws {
        try SampleChecks.shapesAreNormalised(shapes)
    }

    @Test func perUserMfaSampleShapeLoadsWithItsUser() throws {
        try SampleChecks.perUserMfaLoadsWithItsUser(shapes)
    }

    /// Every fixture is in the README's table, and every row names a fixture.
    @Test func readmeListsEveryFixture() throws {
        let readme = try readFile(shapes + "README.md")
        let rows = readme.split(separator: "\n").filter { $0.hasPrefix("| `") }.map { row in
            String(row.dropFirst(3).prefix { $0 != "`" })
        }
        let files = try jsonFiles(in: shapes)
        #expect(Set(rows) == Set(files))
        #expect(rows.count == files.count)
        for (sample, _) in graphSamples { #expect(files.contains(sample), "\(sample) has no fixture") }
        #expect(files.contains("perUserMfa.json"))
    }
}

/// Microsoft's published examples themselves. An extra: the main suite reads
/// only the fixtures, so a clone with nothing beside it passes without these.
@Suite(
    "Microsoft's published responses load",
    .enabled(if: publishedSamplesPresent, "Microsoft's published Graph examples are not beside this checkout; Tests/Fixtures/graph-shapes covers their shapes"))
struct PublishedSampleTests {
    @Test(arguments: graphSamples)
    func sampleLoads(_ sample: String, as name: String) throws {
        try SampleChecks.loads(published, sample, as: name)
    }

    @Test func shapesAreNormalised() throws {
        try SampleChecks.shapesAreNormalised(published)
    }

    @Test func perUserMfaSampleShapeLoadsWithItsUser() throws {
        try SampleChecks.perUserMfaLoadsWithItsUser(published)
    }

    /// Each published example has a fixture of ours that mirrors it.
    @Test func everyPublishedSampleHasAFixture() throws {
        #expect(Set(try jsonFiles(in: published)).subtracting(try jsonFiles(in: shapes)).isEmpty)
    }
}

/// The names of the JSON files in `folder`.
func jsonFiles(in folder: String) throws -> [String] {
    guard let dir = opendir(folder) else { throw SnapshotError(file: folder, path: "", "cannot open") }
    defer { closedir(dir) }
    var names: [String] = []
    while let entry = readdir(dir) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        if name.hasSuffix(".json") { names.append(name) }
    }
    return names.sorted()
}

extension String {
    func trimmedText() -> String {
        var s = Substring(self)
        while s.first?.isWhitespace == true { s.removeFirst() }
        while s.last?.isWhitespace == true { s.removeLast() }
        return String(s)
    }
}

/// A snapshot holding only `file` with `text`.
func loadSnapshot(_ file: String, _ text: String) throws -> TenantSnapshot {
    let dir = TempSnapshot()
    dir.write(file, text)
    return try SnapshotLoader.load(directory: dir.path)
}

/// What loading a snapshot holding only `file` says, without the scratch
/// folder's path: the error, or "loaded".
func loadError(_ file: String, _ text: String) -> String {
    let dir = TempSnapshot()
    dir.write(file, text)
    do {
        _ = try SnapshotLoader.load(directory: dir.path)
        return "loaded"
    } catch {
        return error.description.replacingOccurrences(of: dir.path + "/", with: "")
    }
}

@Suite("Bad snapshot input names the file, the path and what was expected")
struct BadInputTests {

    @Test func malformedJSON() {
        #expect(loadError("users.json", "{\"value\": [\n  {\"id\": 1,}\n]}") == "users.json: is not valid JSON: line 2, column 12: expected a member name in double quotes")
    }

    @Test func wrongType() {
        #expect(loadError("users.json", #"{"value": [{"id": "u1", "accountEnabled": "yes"}]}"#)
            == "users.json: $.value[0].accountEnabled: expected true or false, found the string \"yes\"")
    }

    @Test func unknownEnumValue() {
        #expect(loadError("partner.json", #"{"partnerType": "reseller"}"#)
            == "partner.json: $.partnerType: expected one of directBill, distributor, indirectReseller, found \"reseller\"")
    }

    @Test func impossibleDates() {
        #expect(loadError("securityAlerts.json", #"{"value": [{"id": "a", "detectedDateTime": "2025-02-30T10:00:00Z"}]}"#)
            == "securityAlerts.json: $.value[0].detectedDateTime: expected an ISO 8601 date-time such as 2025-10-01T12:00:00Z, found \"2025-02-30T10:00:00Z\"")
        #expect(loadError("partner.json", #"{"onboardedDate": "2021-13-01"}"#).contains("expected a date YYYY-MM-DD"))
    }

    @Test func firstPageOnly() {
        #expect(loadError("users.json", #"{"value": [], "@odata.nextLink": "https://graph.microsoft.com/v1.0/users?$skiptoken=x"}"#)
            .contains("$.@odata.nextLink: is set: this file holds only the first page"))
    }

    @Test func duplicateIDs() {
        #expect(loadError("users.json", #"{"value": [{"id": "u1"}, {"id": "u1"}]}"#)
            == "users.json: $.value[1].id: duplicate id \"u1\", already used at $.value[0]")
    }

    /// Ids are checked through `IDIndex`; among 50,000
    /// GUIDs that differ in one character, only a true repeat is refused,
    /// and the message points at the first use.
    @Test func duplicateIDsAmongManyGUIDs() {
        func guid(_ i: Int) -> String { "00000001-002a-4000-8000-" + String(String(i, radix: 16).reversed()).padding(toLength: 12, withPad: "0", startingAt: 0) }
        let users = (0..<50_000).map { #"{"id": "\#(guid($0))"}"# }
        #expect(loadError("users.json", #"{"value": ["# + users.joined(separator: ",") + "]}") == "loaded")
        let repeated = users + [#"{"id": "\#(guid(10))"}"#]
        #expect(loadError("users.json", #"{"value": ["# + repeated.joined(separator: ",") + "]}")
            == "users.json: $.value[50000].id: duplicate id \"\(guid(10))\", already used at $.value[10]")
    }

    @Test func hugeAndNegativeNumbers() {
        #expect(loadError("customerMfa.json", #"{"value": [{"tenantId": "t", "totalAdminsCount": 1e400}]}"#).contains("expected a whole number"))
        #expect(loadError("customerMfa.json", #"{"value": [{"tenantId": "t", "totalAdminsCount": -3}]}"#).contains("expected a whole number from 0"))
        #expect(loadError("customerMfa.json", #"{"value": [{"tenantId": "t", "totalAdminsCount": 2, "mfaEnabledAdminsCount": 3}]}"#).contains("more than totalAdminsCount"))
    }

    @Test func numbersAsStringsAreAccepted() {
        #expect(loadError("customerMfa.json", #"{"value": [{"tenantId": "t", "totalAdminsCount": "20", "mfaEnabledAdminsCount": "20"}]}"#) == "loaded")
    }

    /// Files are read side by side; the error reported must still be the
    /// first bad file in the loader's order, whichever read finished first.
    /// A large valid users.json ahead of two small bad files makes the later
    /// ones finish first.
    @Test func theFirstBadFileInOrderIsReportedWhateverFinishesFirst() throws {
        let dir = TempSnapshot()
        let users = (0..<20_000).map { #"{"id": "u\#($0)", "accountEnabled": true}"# }.joined(separator: ",")
        dir.write("users.json", #"{"value": ["# + users + "]}")
        dir.write("roleAssignments.json", #"{"value": [{"id": 1}]}"#)
        dir.write("spendingBudgets.json", "not json")
        dir.write("securityAlerts.json", #"{"value": [{"id": "a", "detectedDateTime": "yesterday"}]}"#)
        let order = FacetRegistry.entries.map(\.fileName)
        let expected = ["roleAssignments.json", "securityAlerts.json", "spendingBudgets.json"]
            .min { order.firstIndex(of: $0)! < order.firstIndex(of: $1)! }!
        for _ in 0..<20 {
            do {
                _ = try SnapshotLoader.load(directory: dir.path)
                Issue.record("should fail")
            } catch {
                #expect(error.description.hasPrefix(dir.path + "/" + expected + ":"), "\(error)")
            }
        }
    }

    /// The files are read largest first (the longest-first rule for two
    /// threads); a facet's size counts the files merged into it, absent
    /// files weigh nothing, and equal sizes keep registry order.
    @Test func filesAreReadLargestFirst() throws {
        let dir = TempSnapshot()
        dir.write("securityAlerts.json", String(repeating: " ", count: 3_000) + "[]")
        dir.write("users.json", String(repeating: " ", count: 2_000) + "[]")
        // Merged into users: 2,000 + 1,500 bytes puts users ahead of alerts.
        dir.write("perUserMfa.json", String(repeating: " ", count: 1_500) + "[]")
        dir.write("spendingBudgets.json", String(repeating: " ", count: 500) + "[]")
        dir.write("partner.json", "{}")
        dir.write("groups.json", "{}")
        let entries = FacetRegistry.entries
        let order = SnapshotLoader.largestFirst(entries, in: dir.path).map { entries[$0].fileName }
        #expect(Array(order.prefix(3)) == ["users.json", "securityAlerts.json", "spendingBudgets.json"])
        // partner.json and groups.json, 2 bytes each, in registry order; then
        // every absent file, in registry order too.
        let rest = entries.map(\.fileName).filter { !["users.json", "securityAlerts.json", "spendingBudgets.json"].contains($0) }
        #expect(Array(order.dropFirst(3)) == ["partner.json", "groups.json"] + rest.filter { $0 != "partner.json" && $0 != "groups.json" })
        #expect(order.count == entries.count)
    }

    @Test func notADirectory() throws {
        do {
            _ = try SnapshotLoader.load(directory: "/nonexistent/snapshot")
            Issue.record("should fail")
        } catch {
            #expect(error.description.hasPrefix("/nonexistent/snapshot: cannot open the snapshot directory"))
        }
    }
}

/// The big collections are decoded while they are parsed; the small ones
/// from a tree. Both must accept and refuse the same documents with the same
/// messages: every case here goes through users.json (streamed) and
/// groups.json (tree), and the messages must match but for the file name.
@Suite("Streamed and tree collections agree")
struct StreamedCollectionTests {
    static let documents: [String] = [
        #"{"value": [{"id": "a"}, {"id": "b"}]}"#,
        #"[{"id": "a"}, {"id": "b"}]"#,
        #"{"id": "a", "displayName": "one entity"}"#,
        #"{"@odata.context": "x", "value": []}"#,
        #"{"value": [{"id": "a"}], "@odata.nextLink": "https://graph.microsoft.com/v1.0/x?$skiptoken=1"}"#,
        #"{"@odata.nextLink": "https://graph.microsoft.com/v1.0/x?$skiptoken=1", "value": [{"id": "a"}]}"#,
        #"{"value": [{"id": "a"}, {"id": "a"}]}"#,
        #"[{"id": "a"}, {"id": "a"}]"#,
        #"{"value": [{"id": "a"}, 3]}"#,
        #"{"value": 3}"#,
        #"{"value": null}"#,
        #"{"count": 2}"#,
        #""just a string""#,
        #"{"value": [{"id": "a"}, {"id": "b",}]}"#,
        #"{"value": [{"id": "a"}] "#,
        #"{"value": [{"id": "a"}]} trailing"#,
        #"{"value": [{"id": "a"}], "value": []}"#,
        "\u{FEFF}{\"value\": [{\"id\": \"a\"}]}",
        #"{"value": [{"id": 7}]}"#,
        "",
    ]

    func outcome(_ file: String, _ text: String) -> String {
        let dir = TempSnapshot()
        dir.write(file, text)
        do {
            let s = try SnapshotLoader.load(directory: dir.path)
            let ids = file == "users.json" ? s.facets.users.items.map(\.id) : s.facets.groups.items.map(\.id)
            return "loaded " + ids.joined(separator: ",")
        } catch {
            return error.description.replacingOccurrences(of: dir.path + "/" + file, with: "FILE")
        }
    }

    @Test(arguments: documents)
    func sameOutcome(_ text: String) {
        let streamed = outcome("users.json", text)
        let tree = outcome("groups.json", text)
        #expect(streamed == tree)
    }
}
