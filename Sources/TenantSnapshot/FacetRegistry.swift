package import SecScoreWire
import SecScoreJSON

/// Every snapshot file, how it is read and the facet field it feeds, in the
/// order the loader reads them (the first bad file is the one reported).
/// The one list behind `SnapshotLoader.load`, `TenantSnapshot.fileNames`,
/// `TenantSnapshot.knownFileNames` and `TenantSnapshot.facets(only:)`.
package enum FacetRegistry {
    /// What a file's reader may use and leave besides its facet: the
    /// directory, and the partner profile partner.json yields.
    package struct Context {
        let directory: String
        var partner: PartnerProfile?

        /// The path of `name` inside the directory.
        func path(_ name: String) -> String {
            directory.hasSuffix("/") ? directory + name : directory + "/" + name
        }
    }

    /// One facet: its file, the files merged into it, how they are read and
    /// which field of `Secscore_Tenant_V1_Facets` they fill.
    package struct Entry: Sendable {
        package let facet: Secscore_Tenant_V1_Facet
        package let fileName: String
        /// Files read into this facet besides `fileName`.
        package let mergedFileNames: [String]
        /// Reads the file into the facet's field; false when it is absent.
        let load: @Sendable (inout Context, inout Secscore_Tenant_V1_Facets) throws(SnapshotError) -> Bool
        /// Copies the facet's field (the whole message, so its presence too).
        package let copy: @Sendable (_ from: Secscore_Tenant_V1_Facets, _ to: inout Secscore_Tenant_V1_Facets) -> Void

        /// A facet whose file yields the field's message; `read` gets the
        /// file's path and returns nil when the file is absent.
        init<Field>(
            _ facet: Secscore_Tenant_V1_Facet, _ fileName: String, merging merged: [String] = [],
            feeds field: any WritableKeyPath<Secscore_Tenant_V1_Facets, Field> & Sendable,
            read: @escaping @Sendable (inout Context, _ path: String) throws(SnapshotError) -> Field?
        ) {
            self.facet = facet
            self.fileName = fileName
            self.mergedFileNames = merged
            load = { context, facets throws(SnapshotError) in
                guard let value = try read(&context, context.path(fileName)) else { return false }
                facets[keyPath: field] = value
                return true
            }
            copy = { from, to in to[keyPath: field] = from[keyPath: field] }
        }

        /// A collection facet: its file yields the `items` of the field's message.
        init<Field, Item>(
            _ facet: Secscore_Tenant_V1_Facet, _ fileName: String, merging merged: [String] = [],
            feeds field: any WritableKeyPath<Secscore_Tenant_V1_Facets, Field> & Sendable,
            items: any WritableKeyPath<Field, [Item]> & Sendable,
            read: @escaping @Sendable (inout Context, _ path: String) throws(SnapshotError) -> [Item]?
        ) {
            self.facet = facet
            self.fileName = fileName
            self.mergedFileNames = merged
            load = { context, facets throws(SnapshotError) in
                guard let value = try read(&context, context.path(fileName)) else { return false }
                // Written through the field, so the field is present even
                // when the file holds no items.
                facets[keyPath: field][keyPath: items] = value
                return true
            }
            copy = { from, to in to[keyPath: field] = from[keyPath: field] }
        }
    }

    /// Per-user MFA states, merged into the users of users.json.
    static let perUserMfaFile = "perUserMfa.json"

    package static let entries: [Entry] = [
        Entry(.partner, "partner.json", feeds: \.partner) { context, path throws(SnapshotError) in
            guard let node = try SnapshotLoader.readJSON(path) else { return nil }
            let (profile, message) = try SnapshotLoader.decodePartner(node)
            context.partner = profile
            return message
        },
        Entry(.securityContact, "securityContact.json", feeds: \.securityContact) { _, path throws(SnapshotError) in
            try SnapshotLoader.readJSON(path).map(SnapshotLoader.decodeSecurityContact)
        },
        Entry(.roleDefinitions, "roleDefinitions.json", feeds: \.roleDefinitions, items: \.items) { _, path throws(SnapshotError) in
            try SnapshotLoader.treeCollection(path, decode: SnapshotLoader.decodeRoleDefinition)
        },
        Entry(.roleAssignments, "roleAssignments.json", feeds: \.roleAssignments, items: \.items) { _, path throws(SnapshotError) in
            try SnapshotLoader.treeCollection(path) { n throws(SnapshotError) in try SnapshotLoader.decodeRoleAssignment(n, eligibility: false) }
        },
        Entry(.roleEligibilities, "roleEligibilitySchedules.json", feeds: \.roleEligibilities, items: \.items) { _, path throws(SnapshotError) in
            try SnapshotLoader.treeCollection(path) { n throws(SnapshotError) in try SnapshotLoader.decodeRoleAssignment(n, eligibility: true) }
        },
        Entry(.users, "users.json", merging: [perUserMfaFile], feeds: \.users, items: \.items) { context, path throws(SnapshotError) in
            let mfaPath = context.path(perUserMfaFile)
            var shared = ValueInterner()
            guard var users = try SnapshotLoader.streamedCollection(path, decode: { n throws(SnapshotError) in
                try SnapshotLoader.decodeUser(n, sharing: &shared)
            }) else {
                guard try SnapshotLoader.readJSON(mfaPath) == nil else {
                    throw SnapshotError(
                        file: mfaPath, path: "",
                        "needs users.json beside it: per-user MFA states are merged into the users they belong to")
                }
                return nil
            }
            if let mfa = try SnapshotLoader.readJSON(mfaPath) {
                try SnapshotLoader.mergePerUserMfa(mfa, into: &users)
            }
            return users
        },
        Entry(.groups, "groups.json", feeds: \.groups, items: \.items) { _, path throws(SnapshotError) in
            try SnapshotLoader.treeCollection(path, decode: SnapshotLoader.decodeGroup)
        },
        Entry(.groupEligibilities, "groupEligibilitySchedules.json", feeds: \.groupEligibilities, items: \.items) { _, path throws(SnapshotError) in
            try SnapshotLoader.treeCollection(path, decode: SnapshotLoader.decodeGroupEligibility)
        },
        Entry(.registrationDetails, "userRegistrationDetails.json", feeds: \.registrationDetails, items: \.items) { _, path throws(SnapshotError) in
            var shared = ValueInterner()
            return try SnapshotLoader.streamedCollection(path) { n throws(SnapshotError) in
                try SnapshotLoader.decodeRegistration(n, sharing: &shared)
            }
        },
        Entry(.securityDefaults, "securityDefaults.json", feeds: \.securityDefaults) { _, path throws(SnapshotError) in
            guard let node = try SnapshotLoader.readJSON(path) else { return nil }
            var defaults = Secscore_Tenant_V1_SecurityDefaults()
            defaults.isEnabled = try node.object().required("isEnabled", expecting: "true or false").bool()
            return defaults
        },
        Entry(.conditionalAccessPolicies, "conditionalAccessPolicies.json", feeds: \.conditionalAccessPolicies, items: \.items) {
            _, path throws(SnapshotError) in
            try SnapshotLoader.treeCollection(path, decode: SnapshotLoader.decodePolicy)
        },
        Entry(.securityAlerts, "securityAlerts.json", feeds: \.securityAlerts, items: \.items) { _, path throws(SnapshotError) in
            var shared = ValueInterner()
            return try SnapshotLoader.streamedCollection(path) { n throws(SnapshotError) in try SnapshotLoader.decodeAlert(n, sharing: &shared) }
        },
        Entry(.customerMfa, "customerMfa.json", feeds: \.customerMfa, items: \.items) { _, path throws(SnapshotError) in
            try SnapshotLoader.streamedCollection(path, idKey: "tenantId", decode: SnapshotLoader.decodeCustomerMfa)
        },
        Entry(.spendingBudgets, "spendingBudgets.json", feeds: \.spendingBudgets, items: \.items) { _, path throws(SnapshotError) in
            try SnapshotLoader.streamedCollection(path, idKey: "customerTenantId", decode: SnapshotLoader.decodeSpending)
        },
    ]

    /// The entry of `facet`; nil for `.unspecified` and unknown values.
    package static func entry(for facet: Secscore_Tenant_V1_Facet) -> Entry? {
        byFacet[facet]
    }

    private static let byFacet: [Secscore_Tenant_V1_Facet: Entry] =
        Dictionary(entries.map { ($0.facet, $0) }, uniquingKeysWith: { first, _ in first })
}
