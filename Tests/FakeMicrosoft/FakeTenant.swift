import Foundation
import SecScoreCollect

/// The tenant a fake serves, read from a snapshot folder (an example, a
/// fixture or `secscore synth` output): every item kept as its bytes, so
/// what the fake serves is what the snapshot holds, shaped as Graph and
/// Partner Center answer.
public struct FakeTenant: Sendable {
    public var roleDefinitions: [[UInt8]] = []
    public var roleAssignments: [[UInt8]] = []
    public var roleEligibilitySchedules: [[UInt8]] = []
    public var users: [[UInt8]] = []
    public var registrationDetails: [[UInt8]] = []
    public var policies: [[UInt8]] = []
    public var alerts: [[UInt8]] = []
    public var securityDefaults: [UInt8] = Array(#"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#policies/identitySecurityDefaultsEnforcementPolicy/$entity","id":"00000000-0000-0000-0000-000000000005","displayName":"Security Defaults","isEnabled":true}"#.utf8)
    /// Group id to (display name, direct members as (id, is group)).
    public var groups: [String: (name: String, members: [(id: String, group: Bool)])] = [:]
    public var groupEligibilities: [(groupId: String, item: [UInt8])] = []
    public var perUserMfa: [String: String] = [:]
    /// customerInsights items (Graph shape).
    public var customerInsights: [[UInt8]] = []
    public var customers: [Customer] = []
    public var securityContactProvided = false
    /// Principal id to the expanded principal Graph adds with `$expand=principal`.
    var principals: [String: [UInt8]] = [:]

    public struct Customer: Sendable {
        public var id: String
        public var name: String
        public var azureSubscriptions: [String]
        /// nil: no budget (Partner Center answers `"amount": null`).
        public var budget: Double?
    }

    public init() {}

    /// Reads `directory` (every file optional).
    public init(snapshot directory: String) throws {
        func items(_ name: String) throws -> [[UInt8]] {
            guard let data = FileManager.default.contents(atPath: directory + "/" + name) else { return [] }
            let bytes = Array(data)
            if bytes.first(where: { $0 > 0x20 }) == UInt8(ascii: "[") {
                return try JSONScan.elements(bytes, 0..<bytes.count).map { Array(bytes[$0]) }
            }
            let members = try JSONScan.members(bytes)
            guard let value = members["value"] else { return [bytes] }
            return try JSONScan.elements(bytes, value).map { Array(bytes[$0]) }
        }
        func object(_ bytes: [UInt8]) -> [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] ?? [:]
        }
        roleDefinitions = try items("roleDefinitions.json")
        roleAssignments = try items("roleAssignments.json")
        roleEligibilitySchedules = try items("roleEligibilitySchedules.json")
        users = try items("users.json")
        registrationDetails = try items("userRegistrationDetails.json")
        policies = try items("conditionalAccessPolicies.json")
        alerts = try items("securityAlerts.json")
        if let data = FileManager.default.contents(atPath: directory + "/securityDefaults.json") { securityDefaults = Array(data) }
        for u in users {
            let o = object(u)
            guard let id = o["id"] as? String else { continue }
            if let state = o["perUserMfaState"] as? String { perUserMfa[id] = state }
            principals[id] = JSONText.object([
                ("@odata.type", .string("#microsoft.graph.user")), ("id", .string(id)),
                ("displayName", .string(o["displayName"] as? String ?? "")), ("userPrincipalName", .string(o["userPrincipalName"] as? String ?? "")),
            ]).utf8
        }
        for m in try items("perUserMfa.json") {
            let o = object(m)
            if let id = o["id"] as? String, let state = o["perUserMfaState"] as? String { perUserMfa[id] = state }
        }
        for g in try items("groups.json") {
            let o = object(g)
            guard let id = o["id"] as? String else { continue }
            var members: [(id: String, group: Bool)] = []
            for key in ["members", "transitiveMembers"] {
                for m in o[key] as? [[String: Any]] ?? [] {
                    guard let mid = m["id"] as? String, !members.contains(where: { $0.id == mid }) else { continue }
                    members.append((id: mid, group: (m["@odata.type"] as? String ?? "").lowercased().hasSuffix(".group")))
                }
            }
            groups[id] = (o["displayName"] as? String ?? "", members)
            principals[id] = JSONText.object([
                ("@odata.type", .string("#microsoft.graph.group")), ("id", .string(id)), ("displayName", .string(o["displayName"] as? String ?? "")),
            ]).utf8
        }
        for e in try items("groupEligibilitySchedules.json") {
            if let gid = object(e)["groupId"] as? String { groupEligibilities.append((gid, e)) }
        }
        for c in try items("customerMfa.json") {
            let o = object(c)
            if o["mfa"] != nil { customerInsights.append(c); continue }
            guard let tid = o["tenantId"] as? String else { continue }
            var mfa: [(String, JSONText)] = [("@odata.type", .string("microsoft.graph.partner.security.customerMfaInsight"))]
            for (graph, ours) in [("compliantAdminsCount", "mfaEnabledAdminsCount"), ("compliantNonAdminsCount", "mfaEnabledNonAdminsCount"), ("totalUsersCount", "totalUsersCount")] {
                if let n = o[ours] as? NSNumber { mfa.append((graph, .number(n.doubleValue))) }
            }
            mfa.append(("legacyPerUserMfaStatus", .string("disabled")))
            customerInsights.append(JSONText.object([
                ("@odata.type", .string("#microsoft.graph.partner.security.customerInsight")),
                ("tenantId", .string(tid)), ("displayName", .string(o["displayName"] as? String ?? "")), ("mfa", .object(mfa)),
            ]).utf8)
        }
        for s in try items("spendingBudgets.json") {
            let o = object(s)
            guard let tid = o["customerTenantId"] as? String else { continue }
            let budget = (o["budget"] as? [String: Any])?["amount"] as? NSNumber
            customers.append(Customer(id: tid, name: o["customerName"] as? String ?? "", azureSubscriptions: o["subscriptionIds"] as? [String] ?? [],
                                      budget: budget?.doubleValue))
        }
        securityContactProvided = FileManager.default.fileExists(atPath: directory + "/securityContact.json")
    }

    /// Every member of `group` at any depth (nested groups included once).
    func transitiveMembers(_ group: String) -> [(id: String, group: Bool)] {
        var out: [(id: String, group: Bool)] = []
        var seen = Set<String>()
        var pending = [group]
        while let g = pending.popLast() {
            for m in groups[g]?.members ?? [] where seen.insert(m.id).inserted {
                out.append(m)
                if m.group { pending.append(m.id) }
            }
        }
        return out
    }

    /// The item with `principal` added when the snapshot left it out.
    func expanded(_ item: [UInt8]) -> [UInt8] {
        guard let members = try? JSONScan.members(item), members["principal"] == nil,
              let r = members["principalId"], let id = JSONScan.string(item, r), let principal = principals[id],
              let close = item.lastIndex(of: UInt8(ascii: "}"))
        else { return item }
        return Array(item[..<close]) + Array(#","principal":"#.utf8) + principal + Array(item[close...])
    }
}
