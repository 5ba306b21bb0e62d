import Glibc
import SecScoreJSON
import SecScoreWire

/// Reads a snapshot directory. Every file is optional; each one present
/// must be valid, or loading stops with a `SnapshotError` that names the
/// file, the JSON path and what was expected.
public enum SnapshotLoader {
    /// Loads `directory`.
    /// - Throws: `SnapshotError` for the first bad file (`.unreadable` when
    ///   the directory cannot be read).
    public static func load(directory: String) throws(SnapshotError) -> TenantSnapshot {
        var st = stat()
        guard stat(directory, &st) == 0 else {
            throw SnapshotError(.unreadable, file: directory, path: "", "cannot open the snapshot directory: \(String(cString: strerror(errno)))")
        }
        guard st.st_mode & S_IFMT == S_IFDIR else {
            throw SnapshotError(.unreadable, file: directory, path: "", "is not a directory; a snapshot is a directory of JSON files")
        }
        var facets = Secscore_Tenant_V1_Facets()
        var present = Set<Secscore_Tenant_V1_Facet>()
        var partner: PartnerProfile?
        func path(_ name: String) -> String { directory.hasSuffix("/") ? directory + name : directory + "/" + name }
        func root(_ name: String) throws(SnapshotError) -> JSONNode? {
            try readJSON(path(name))
        }

        if let node = try root("partner.json") {
            let (profile, message) = try decodePartner(node)
            partner = profile
            facets.partner = message
            present.insert(.partner)
        }
        if let node = try root("securityContact.json") {
            facets.securityContact = try decodeSecurityContact(node)
            present.insert(.securityContact)
        }
        if let node = try root("roleDefinitions.json") {
            facets.roleDefinitions.items = try collection(node).map(decodeRoleDefinition)
            present.insert(.roleDefinitions)
        }
        if let node = try root("roleAssignments.json") {
            facets.roleAssignments.items = try collection(node).map { n throws(SnapshotError) in try decodeRoleAssignment(n, eligibility: false) }
            present.insert(.roleAssignments)
        }
        if let node = try root("roleEligibilitySchedules.json") {
            facets.roleEligibilities.items = try collection(node).map { n throws(SnapshotError) in try decodeRoleAssignment(n, eligibility: true) }
            present.insert(.roleEligibilities)
        }
        if var users = try streamedCollection(path("users.json"), decode: decodeUser) {
            if let mfa = try root("perUserMfa.json") {
                try mergePerUserMfa(mfa, into: &users)
            }
            facets.users.items = users
            present.insert(.users)
        } else if try root("perUserMfa.json") != nil {
            throw SnapshotError(file: path("perUserMfa.json"), path: "", "needs users.json beside it: per-user MFA states are merged into the users they belong to")
        }
        if let node = try root("groups.json") {
            facets.groups.items = try collection(node).map(decodeGroup)
            present.insert(.groups)
        }
        if let node = try root("groupEligibilitySchedules.json") {
            facets.groupEligibilities.items = try collection(node).map(decodeGroupEligibility)
            present.insert(.groupEligibilities)
        }
        if let items = try streamedCollection(path("userRegistrationDetails.json"), decode: decodeRegistration) {
            facets.registrationDetails.items = items
            present.insert(.registrationDetails)
        }
        if let node = try root("securityDefaults.json") {
            let object = try node.object()
            guard let enabled = try object.bool("isEnabled") else {
                throw object.fail("isEnabled", "is missing; expected true or false")
            }
            facets.securityDefaults.isEnabled = enabled
            present.insert(.securityDefaults)
        }
        if let node = try root("conditionalAccessPolicies.json") {
            facets.conditionalAccessPolicies.items = try collection(node).map(decodePolicy)
            present.insert(.conditionalAccessPolicies)
        }
        if let items = try streamedCollection(path("securityAlerts.json"), decode: decodeAlert) {
            facets.securityAlerts.items = items
            present.insert(.securityAlerts)
        }
        if let items = try streamedCollection(path("customerMfa.json"), idKey: "tenantId", decode: decodeCustomerMfa) {
            facets.customerMfa.items = items
            present.insert(.customerMfa)
        }
        if let items = try streamedCollection(path("spendingBudgets.json"), idKey: "customerTenantId", decode: decodeSpending) {
            facets.spendingBudgets.items = items
            present.insert(.spendingBudgets)
        }
        var snapshot = TenantSnapshot(directory: directory, partner: partner, facets: facets, presentFacets: present)
        snapshot.unreadFiles = unreadFiles(in: directory)
        return snapshot
    }

    /// Regular files in `directory` that no facet reads (dot files and

    /// Regular files in `directory` that no facet reads (dot files and
    /// documentation aside).
    static func unreadFiles(in directory: String) -> [String] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        let known = TenantSnapshot.knownFileNames
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard !name.hasPrefix("."), !known.contains(name), !name.hasSuffix(".md") else { continue }
            var st = stat()
            guard stat(directory + "/" + name, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { continue }
            names.append(name)
        }
        return names.sorted()
    }
}
