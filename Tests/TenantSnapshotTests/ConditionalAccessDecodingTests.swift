import Foundation
import SecScoreTestSupport
import SecScoreWire
import TenantSnapshot
import Testing

/// The Conditional Access decoder keeps every property that could narrow a
/// policy (issue 9, kind 1): each is modeled, known to have no effect, or
/// reported in `unmodeled_properties`, which makes the check fail closed.
@Suite("Conditional Access policies are read completely")
struct ConditionalAccessDecodingTests {
    /// A minimal policy that requires MFA of everyone for every app.
    static func coveringPolicy() -> [String: Any] {
        [
            "id": "p1", "displayName": "MFA for all", "state": "enabled",
            "conditions": [
                "users": ["includeUsers": ["All"]],
                "applications": ["includeApplications": ["All"]],
                "clientAppTypes": ["all"],
            ] as [String: Any],
            "grantControls": ["operator": "OR", "builtInControls": ["mfa"]] as [String: Any],
        ]
    }

    static func load(_ policies: [[String: Any]]) throws -> [Secscore_Tenant_V1_ConditionalAccessPolicy] {
        let dir = ScratchDirectory()
        let data = try JSONSerialization.data(withJSONObject: ["value": policies])
        dir.write("conditionalAccessPolicies.json", String(decoding: data, as: UTF8.self))
        return try SnapshotLoader.load(directory: dir.path).facets.conditionalAccessPolicies.items
    }

    /// `object` with `value` set at the dotted `path`.
    static func setting(_ object: [String: Any], _ path: [String], to value: Any) -> [String: Any] {
        var object = object
        guard let first = path.first else { return object }
        if path.count == 1 {
            object[first] = value
        } else {
            object[first] = setting(object[first] as? [String: Any] ?? [:], Array(path.dropFirst()), to: value)
        }
        return object
    }

    @Test func failsClosedPropertiesAreKeptWithTheirValue() throws {
        let rows = ConditionalAccessProperties.rows.filter { $0.1 == .failsClosed }
        #expect(rows.count >= 10)
        for (path, _) in rows {
            let policy = Self.setting(Self.coveringPolicy(), path.split(separator: ".").map(String.init), to: ["rule": "x"])
            let decoded = try #require(try Self.load([policy]).first)
            let kept = decoded.unmodeledProperties.first { $0.path == path }
            #expect(kept?.unknown == false && kept?.value == #"{"rule":"x"}"#, "\(path)")
        }
    }

    @Test func unknownPropertiesAtEveryLevelFailClosed() throws {
        for path in ["brandNewTopLevel", "conditions.brandNew", "conditions.users.brandNew", "conditions.applications.brandNew",
                     "grantControls.brandNew", "sessionControls.brandNew", "conditions.platforms.brandNew"] {
            let policy = Self.setting(Self.coveringPolicy(), path.split(separator: ".").map(String.init), to: false)
            let decoded = try #require(try Self.load([policy]).first)
            #expect(decoded.unmodeledProperties.map(\.path) == [path], "\(path)")
            #expect(decoded.unmodeledProperties.first?.unknown == true)
        }
    }

    @Test func emptyValuesAndAnnotationsSayNothing() throws {
        var policy = Self.coveringPolicy()
        for (path, value) in [
            ("conditions.times", NSNull() as Any), ("conditions.authenticationFlows", [String: Any]()),
            ("conditions.devices", ["includeDevices": [], "deviceFilter": NSNull()] as [String: Any]),
            ("conditions.brandNew", [String]()), ("grantControls.authenticationStrength@odata.context", "x"),
            ("sessionControls.signInFrequency", ["value": NSNull(), "frequencyInterval": "everyTime"] as [String: Any]),
        ] as [(String, Any)] {
            policy = Self.setting(policy, path.split(separator: ".").map(String.init), to: value)
        }
        let decoded = try #require(try Self.load([policy]).first)
        #expect(decoded.unmodeledProperties.isEmpty, "\(decoded.unmodeledProperties)")
    }

    @Test func guestObjectsTermsAndStrengthsAreDecoded() throws {
        var policy = Self.coveringPolicy()
        policy = Self.setting(policy, ["conditions", "users", "excludeGuestsOrExternalUsers"], to: [
            "guestOrExternalUserTypes": "internalGuest,b2bCollaborationGuest",
            "externalTenants": ["@odata.type": "#microsoft.graph.conditionalAccessEnumeratedExternalTenants", "members": ["t1", "t2"]],
        ] as [String: Any])
        policy = Self.setting(policy, ["conditions", "users", "includeGuestsOrExternalUsers"], to: ["guestOrExternalUserTypes": "none"])
        policy = Self.setting(policy, ["grantControls", "termsOfUse"], to: ["tou-1"])
        policy = Self.setting(policy, ["grantControls", "authenticationStrength"], to: [
            "id": "s1", "displayName": "Phishing resistant", "requirementsSatisfied": "mfa",
            "allowedCombinations": ["windowsHelloForBusiness", ["password", "sms"]],
        ] as [String: Any])
        let p = try #require(try Self.load([policy]).first)
        #expect(p.excludeGuestsOrExternalUsers.guestOrExternalUserTypes == ["internalGuest", "b2bCollaborationGuest"])
        #expect(p.excludeGuestsOrExternalUsers.externalTenantsMembershipKind == "enumerated")
        #expect(p.excludeGuestsOrExternalUsers.externalTenantIds == ["t1", "t2"])
        #expect(!p.hasIncludeGuestsOrExternalUsers)  // "none" selects nobody
        #expect(p.termsOfUse == ["tou-1"])
        #expect(p.authenticationStrength.allowedCombinations == ["windowsHelloForBusiness", "password,sms"])
        #expect(p.unmodeledProperties.isEmpty)
    }

    /// Every property in Microsoft's published policy examples (and in our
    /// own fixtures shaped like them) is modeled, of no effect, or kept as
    /// unmodeled when it has a value: set each one, one at a time, on a
    /// covering policy and decode.
    static func exampleFiles(in folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.hasPrefix("conditionalAccessPolic") && $0.hasSuffix(".json") }.sorted().map { folder + "/" + $0 }
    }

    static func propertyPaths(_ object: [String: Any], prefix: [String] = []) -> [([String], Any)] {
        var out: [([String], Any)] = []
        for (key, value) in object where !key.contains("@") {
            let path = prefix + [key]
            out.append((path, value))
            if let nested = value as? [String: Any] { out += propertyPaths(nested, prefix: path) }
        }
        return out
    }

    static func walk(_ files: [String]) throws -> Int {
        var seen = Set<String>()
        for file in files {
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file)))
            let policies = ((json as? [String: Any])?["value"] as? [[String: Any]]) ?? [json as? [String: Any] ?? [:]]
            for policy in policies {
                for (path, example) in propertyPaths(policy) where seen.insert(path.joined(separator: ".")).inserted {
                    let dotted = path.joined(separator: ".")
                    let treatment = ConditionalAccessProperties.table[dotted]
                    // A property inside an object that is not a container
                    // (modeled, of no effect, or failing closed) is judged with it.
                    let ancestors = (1..<max(path.count, 1)).map { path.prefix($0).joined(separator: ".") }
                    let owner = ancestors.last { ConditionalAccessProperties.table[$0].map { $0 != .container } ?? false }
                    let closedAncestor = owner.flatMap { ConditionalAccessProperties.table[$0] == .failsClosed ? $0 : nil }
                    if owner != nil && closedAncestor == nil { continue }
                    if treatment == .modeled || treatment == .noEffect || treatment == .container { continue }
                    var value: Any = example
                    if example is NSNull { value = ["synthetic": "value"] }
                    else if let a = example as? [Any], a.isEmpty { value = ["synthetic"] }
                    else if let s = example as? String, s.isEmpty { value = "synthetic" }
                    else if let o = example as? [String: Any], o.isEmpty { value = ["synthetic": "value"] }
                    let target = closedAncestor ?? dotted
                    let decoded = try #require(try load([setting(coveringPolicy(), path, to: value)]).first)
                    let kept = decoded.unmodeledProperties.map(\.path)
                    #expect(kept.contains(target) || kept.contains(where: { target.hasPrefix($0 + ".") }),
                            "\(file): \(dotted) (\(treatment.map(\.rawValue) ?? "unknown")) set to a value was not kept as unmodeled: \(kept)")
                }
            }
        }
        return seen.count
    }

    @Test func everyPropertyOfOurShapedExamplesIsModeledOrFailsClosed() throws {
        let files = Self.exampleFiles(in: fixture("Tests/Fixtures/graph-shapes"))
        try #require(!files.isEmpty, "no Conditional Access fixtures in Tests/Fixtures/graph-shapes")
        #expect(try Self.walk(files) > 40)
    }

    @Test(.enabled(if: publishedSamplesPresent, "Microsoft's published Graph examples are not beside this checkout; the shaped fixtures above cover their properties"))
    func everyPropertyOfMicrosoftsPublishedExamplesIsModeledOrFailsClosed() throws {
        let files = Self.exampleFiles(in: String(published.dropLast()))
        #expect(files.count >= 4)
        #expect(try Self.walk(files) > 40)
    }

    @Test func everyTableRowIsDocumented() throws {
        let doc = try String(contentsOfFile: fixture("docs/REQUIREMENTS.md"), encoding: .utf8)
        // Containers are documented through their members.
        for (path, treatment) in ConditionalAccessProperties.rows where treatment != .container {
            let leaf = path.split(separator: ".").last.map(String.init) ?? path
            #expect(doc.contains("`\(path)`") || doc.contains("\(leaf)`"), "docs/REQUIREMENTS.md does not list \(path)")
        }
    }
}
