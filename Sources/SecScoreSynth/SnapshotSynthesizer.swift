import Glibc
import TenantSnapshot

/// Sizes of a synthetic tenant.
package struct SynthSize: Sendable, Hashable {
    package var admins: Int
    package var users: Int
    package var policies: Int
    package var alerts: Int
    package var customers: Int
    package var subscriptions: Int

    package init(admins: Int = 5, users: Int = 50, policies: Int = 4, alerts: Int = 10, customers: Int = 10, subscriptions: Int = 20) {
        self.admins = admins
        self.users = max(users, admins)
        self.policies = policies
        self.alerts = alerts
        self.customers = customers
        self.subscriptions = subscriptions
    }
}

/// Why a snapshot could not be written.
package struct SynthError: Error, Sendable, CustomStringConvertible {
    package let description: String
}

/// Writes deterministic synthetic snapshots in the exact shapes the loader
/// reads (Graph and Partner Center responses), for benchmarks, soak tests
/// and anyone who wants to see secscore on a big tenant. The same seed and
/// sizes always give the same bytes.
package struct SnapshotSynthesizer: Sendable {
    package var size: SynthSize
    package var seed: UInt64
    /// The as-of day the alert timestamps are placed before (Unix ms).
    package var nowUnixMillis: Int64

    package init(size: SynthSize, seed: UInt64 = 1, nowUnixMillis: Int64 = 1_763_251_199_999) {
        self.size = size
        self.seed = seed
        self.nowUnixMillis = nowUnixMillis
    }

    static let adminRoles = [
        "62e90394-69f5-4237-9190-012177145e10", "194ae4cb-b126-40b2-bd5b-6091b380977d",
        "29232cdf-9323-42fd-ade2-1d097af3e4de", "fe930be7-5e62-47db-91af-98c3a49a38b1",
        "729827e3-9c14-49f7-bb1b-9608f156bbb8",
    ]

    /// Writes every snapshot file into `directory` (created if missing).
    package func write(to directory: String, name: String = "Synthetic Partner") throws(SynthError) {
        Self.makeDirectories(directory)
        var rng = SplitMix(seed)
        let s = size
        try file(directory, "partner.json") { w in
            w.raw("{\"tenantId\": \"\(guid(0xFFFF, 1))\", \"displayName\": ")
            w.string(name)
            w.raw(", \"partnerType\": \"\(["directBill", "distributor"][Int(seed % 2)])\", \"commerceExperience\": \"newCommerce\", \"onboardedDate\": \"2020-0\(1 + Int(seed % 9))-15\"}\n")
        }
        try file(directory, "securityContact.json") { w in
            w.raw("{\"name\": \"Security Operations\", \"email\": \"soc@partner\(seed).example.com\", \"phone\": \"+1 425 555 0\(100 + Int(seed % 800))\"}\n")
        }
        try file(directory, "roleDefinitions.json") { w in
            w.raw("{\"value\": [")
            for (i, role) in Self.adminRoles.enumerated() {
                if i > 0 { w.raw(",") }
                w.raw("{\"id\": \"\(role)\", \"templateId\": \"\(role)\", \"displayName\": \"Role \(i)\", \"isBuiltIn\": true}")
            }
            w.raw("]}\n")
        }
        // Admins are the first `admins` users; one in ten is only PIM-eligible.
        try file(directory, "roleAssignments.json") { w in
            w.raw("{\"value\": [")
            var first = true
            for a in 0..<s.admins where a % 10 != 9 {
                if !first { w.raw(",") }
                first = false
                w.raw("{\"id\": \"ra-\(a)\", \"principalId\": \"\(guid(1, a))\", \"roleDefinitionId\": \"\(Self.adminRoles[a % Self.adminRoles.count])\", \"directoryScopeId\": \"/\", \"principal\": {\"@odata.type\": \"#microsoft.graph.user\", \"id\": \"\(guid(1, a))\", \"userPrincipalName\": \"admin\(a)@partner.example.com\"}}")
            }
            w.raw("]}\n")
        }
        try file(directory, "roleEligibilitySchedules.json") { w in
            w.raw("{\"value\": [")
            var first = true
            for a in 0..<s.admins where a % 10 == 9 {
                if !first { w.raw(",") }
                first = false
                w.raw("{\"id\": \"re-\(a)\", \"principalId\": \"\(guid(1, a))\", \"roleDefinitionId\": \"\(Self.adminRoles[a % Self.adminRoles.count])\", \"directoryScopeId\": \"/\", \"scheduleInfo\": {\"startDateTime\": \"2025-01-01T00:00:00Z\", \"expiration\": {\"type\": \"noExpiration\", \"endDateTime\": null}}}")
            }
            w.raw("]}\n")
        }
        try file(directory, "users.json") { w in
            w.raw("{\"value\": [")
            for u in 0..<s.users {
                if u > 0 { w.raw(",\n") }
                w.raw("{\"id\": \"\(guid(1, u))\", \"userPrincipalName\": \"\(u < s.admins ? "admin" : "user")\(u)@partner.example.com\", \"displayName\": \"User \(u)\", \"accountEnabled\": true, \"userType\": \"Member\"}")
            }
            w.raw("]}\n")
        }
        try file(directory, "groups.json") { w in
            w.raw("{\"value\": [{\"id\": \"\(guid(2, 0))\", \"displayName\": \"Emergency access\", \"members\": [{\"id\": \"\(guid(1, 0))\"}]}]}\n")
        }
        try file(directory, "userRegistrationDetails.json") { w in
            w.raw("{\"value\": [")
            for u in 0..<s.users {
                if u > 0 { w.raw(",\n") }
                // Almost every admin registered; a seeded few are not.
                let registered = u >= s.admins || rng.next() % 50 != 0
                w.raw("{\"id\": \"\(guid(1, u))\", \"userPrincipalName\": \"user\(u)@partner.example.com\", \"isAdmin\": \(u < s.admins), \"isMfaRegistered\": \(registered), \"isMfaCapable\": \(registered), \"methodsRegistered\": \(registered ? "[\"microsoftAuthenticatorPush\"]" : "[]"), \"userType\": \"member\"}")
            }
            w.raw("]}\n")
        }
        try file(directory, "securityDefaults.json") { w in w.raw("{\"isEnabled\": false}\n") }
        try file(directory, "conditionalAccessPolicies.json") { w in
            w.raw("{\"value\": [")
            for p in 0..<s.policies {
                if p > 0 { w.raw(",\n") }
                let allUsers = p == 0
                let state = p == 0 ? "enabled" : ["enabled", "disabled", "enabledForReportingButNotEnforced"][p % 3]
                w.raw("{\"id\": \"\(guid(3, p))\", \"displayName\": \"Policy \(p)\", \"state\": \"\(state)\", \"conditions\": {\"users\": {\"includeUsers\": [\(allUsers ? "\"All\"" : "\"\(guid(1, p % max(1, s.users)))\"")], \"excludeUsers\": [], \"includeGroups\": [], \"excludeGroups\": [\(p == 1 ? "\"\(guid(2, 0))\"" : "")], \"includeRoles\": [], \"excludeRoles\": []}, \"applications\": {\"includeApplications\": [\"All\"], \"excludeApplications\": []}, \"clientAppTypes\": [\"all\"], \"signInRiskLevels\": [], \"userRiskLevels\": []}, \"grantControls\": {\"operator\": \"OR\", \"builtInControls\": [\"mfa\"], \"customAuthenticationFactors\": [], \"termsOfUse\": [], \"authenticationStrength\": null}}")
            }
            w.raw("]}\n")
        }
        try file(directory, "securityAlerts.json") { w in
            w.raw("{\"value\": [")
            let window: Int64 = 30 * 86_400_000
            for a in 0..<s.alerts {
                if a > 0 { w.raw(",\n") }
                let detected = nowUnixMillis - Int64(rng.next() % UInt64(window - 3_600_000)) - 3_600_000
                let response = Int64(rng.next() % 20) * 3_600_000 + Int64(rng.next() % 3_600_000)
                let answered = min(nowUnixMillis, detected + response)
                w.raw("{\"id\": \"alert-\(a)\", \"displayName\": \"Synthetic alert \(a)\", \"alertType\": \"networkConnectionsToCryptoMiningPools\", \"status\": \"resolved\", \"severity\": \"high\", \"customerTenantId\": \"\(guid(4, a % max(1, s.customers)))\", \"detectedDateTime\": \"\(iso(detected))\", \"resolvedOnDateTime\": \"\(iso(answered))\", \"resolvedReason\": \"fraud\", \"isTest\": false, \"activityLogs\": [{\"statusFrom\": \"active\", \"statusTo\": \"resolved\", \"updatedBy\": \"soc@partner.example.com\", \"updatedDateTime\": \"\(iso(answered))\"}]}")
            }
            w.raw("]}\n")
        }
        try file(directory, "customerMfa.json") { w in
            w.raw("{\"value\": [")
            for c in 0..<s.customers {
                if c > 0 { w.raw(",\n") }
                let admins = 1 + Int(rng.next() % 5)
                let withMfa = rng.next() % 10 == 0 ? admins - 1 : admins
                w.raw("{\"tenantId\": \"\(guid(4, c))\", \"displayName\": \"Customer \(c)\", \"totalAdminsCount\": \(admins), \"mfaEnabledAdminsCount\": \(withMfa), \"mfaEnabledNonAdminsCount\": \(rng.next() % 100), \"totalUsersCount\": \(100 + rng.next() % 100)}")
            }
            w.raw("]}\n")
        }
        try file(directory, "spendingBudgets.json") { w in
            w.raw("{\"value\": [")
            var next = 0
            for c in 0..<s.customers {
                if c > 0 { w.raw(",\n") }
                // Subscriptions spread evenly over customers.
                let count = s.subscriptions / max(1, s.customers) + (c < s.subscriptions % max(1, s.customers) ? 1 : 0)
                w.raw("{\"customerTenantId\": \"\(guid(4, c))\", \"customerName\": \"Customer \(c)\", \"subscriptionIds\": [")
                for i in 0..<count {
                    if i > 0 { w.raw(",") }
                    w.raw("\"\(guid(5, next))\"")
                    next += 1
                }
                let budget = rng.next() % 20 != 0
                w.raw("], \"budget\": \(budget ? "{\"amount\": \(1000 + rng.next() % 9000)}" : "null"), \"percentUsed\": \(budget ? String(rng.next() % 100) : "null")}")
            }
            w.raw("]}\n")
        }
    }

    /// mkdir -p.
    package static func makeDirectories(_ path: String) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            prefix += "/" + part
            mkdir(prefix, 0o755)
        }
    }

    /// A GUID-shaped id, unique per (kind, index).
    func guid(_ kind: Int, _ index: Int) -> String {
        func hex(_ v: UInt64, _ width: Int) -> String {
            let s = String(v, radix: 16)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(hex(UInt64(kind), 8))-\(hex(seed & 0xFFFF, 4))-4000-8000-\(hex(UInt64(index), 12))"
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` for a Unix millisecond instant.
    func iso(_ ms: Int64) -> String {
        let seconds = Int((ms % 86_400_000 + 86_400_000) % 86_400_000 / 1000)
        func p2(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(CivilDate(unixMillis: ms))T\(p2(seconds / 3600)):\(p2(seconds / 60 % 60)):\(p2(seconds % 60))Z"
    }

    func file(_ directory: String, _ name: String, _ body: (inout Writer) -> Void) throws(SynthError) {
        let path = directory + "/" + name
        guard let f = fopen(path, "wb") else {
            throw SynthError(description: "cannot write \(path): \(String(cString: strerror(errno)))")
        }
        var w = Writer(file: f)
        body(&w)
        w.flush()
        fclose(f)
    }
}

/// Buffered file output.
struct Writer {
    let file: UnsafeMutablePointer<FILE>
    var buffer: [UInt8] = []

    init(file: UnsafeMutablePointer<FILE>) {
        self.file = file
        buffer.reserveCapacity(1 << 16)
    }

    mutating func raw(_ s: String) {
        buffer.append(contentsOf: s.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }

    mutating func string(_ s: String) {
        raw("\"")
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": raw("\\\"")
            case "\\": raw("\\\\")
            default: raw(scalar.value < 0x20 ? " " : String(scalar))
            }
        }
        raw("\"")
    }

    mutating func flush() {
        buffer.withUnsafeBytes { _ = fwrite($0.baseAddress, 1, $0.count, file) }
        buffer.removeAll(keepingCapacity: true)
    }
}

/// SplitMix64: tiny, seeded, identical on every machine. Public because
/// every seeded thing in the project (the soak's faults, the corruption
/// tests) should draw from the same generator.
package struct SplitMix: RandomNumberGenerator, Sendable {
    package var state: UInt64
    package init(_ seed: UInt64) { state = seed }

    /// A number in 0..<n (0 when n is 0).
    package mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }

    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
