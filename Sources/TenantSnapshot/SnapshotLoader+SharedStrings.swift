import SecScoreWire

extension SnapshotLoader {
    /// Gives each registration of userRegistrationDetails.json its user's
    /// copies of the id, user principal name and display name where they
    /// are equal, so the two facets hold those strings once.
    ///
    /// Graph's registration details repeat the user's `id`,
    /// `userPrincipalName` and `userDisplayName`: in the 1,000,000-user
    /// benchmark tenant, 2,000,000 strings of 30 to 36 bytes held twice
    /// (160 MB of heap). Nothing changes but where equal strings are
    /// stored. The two files are read side by side, so this runs once both
    /// are loaded; a registration of a user not in users.json keeps its own.
    ///
    /// - Parameter facets: must hold the only reference to the
    ///   registrations' array, or assigning into it copies all of them.
    static func shareUserStrings(_ facets: inout Secscore_Tenant_V1_Facets) {
        guard !facets.registrationDetails.items.isEmpty, !facets.users.items.isEmpty else { return }
        let users = facets.users.items
        // Taken out of the facets so the array is uniquely referenced and
        // assigned in place; put back (present, as it was) below.
        var details = facets.registrationDetails
        facets.registrationDetails = Secscore_Tenant_V1_RegistrationDetails()
        // Built only when the two files do not list users in the same order.
        var byID: IDIndex?
        for i in details.items.indices {
            let id = details.items[i].id
            var match: Int?
            if i < users.count, users[i].id.hasSameUTF8(as: id) {
                match = i
            } else {
                if byID == nil {
                    var index = IDIndex()
                    for (position, user) in users.enumerated() where !user.id.isEmpty { _ = index.insert(user.id, at: position) }
                    byID = index
                }
                match = byID?.position(of: id)
            }
            // Byte for byte, not `==` (canonical equivalence, as the index
            // finds ids), so sharing never changes a registration's bytes.
            guard let match, users[match].id.hasSameUTF8(as: id) else { continue }
            details.items[i].id = users[match].id
            if details.items[i].userPrincipalName.hasSameUTF8(as: users[match].userPrincipalName) {
                details.items[i].userPrincipalName = users[match].userPrincipalName
            }
            if details.items[i].userDisplayName.hasSameUTF8(as: users[match].displayName) {
                details.items[i].userDisplayName = users[match].displayName
            }
        }
        facets.registrationDetails = details
    }
}
