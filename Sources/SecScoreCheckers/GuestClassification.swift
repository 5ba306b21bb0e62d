public import SecScoreWire

/// Which of Conditional Access's guest or external user types a user is, as
/// far as the snapshot tells (Graph `conditionalAccessGuestsOrExternalUsers`;
/// Microsoft Entra documentation, "Conditional Access: Users, groups and
/// workload identities", guest or external users). Used to match
/// `includeGuestsOrExternalUsers`, `excludeGuestsOrExternalUsers` and the
/// legacy `GuestsOrExternalUsers` value.
public enum GuestClassification: Equatable, Sendable {
    /// An internal member: matches no guest or external user type.
    case member
    /// One of Graph's `guestOrExternalUserTypes` values.
    case external(String)
    /// The snapshot does not say (no users.json entry, or no `userType`).
    case unknown(String)

    /// Issuers of external identities in Graph's `identities[].issuer`.
    static let externalIssuers: Set<String> = ["externalazuread", "microsoftaccount", "mail", "google.com", "facebook.com"]

    public init(_ user: Secscore_Tenant_V1_User?) {
        guard let user else {
            self = .unknown("the user is not in users.json")
            return
        }
        let external =
            user.userPrincipalName.uppercased().contains("#EXT#")
            || !user.externalUserState.isEmpty
            || user.creationType.lowercased() == "invitation"
            || user.identityIssuers.contains { Self.externalIssuers.contains($0.lowercased()) }
        switch user.userType.lowercased() {
        case "guest": self = .external(external ? "b2bCollaborationGuest" : "internalGuest")
        case "member": self = external ? .external("b2bCollaborationMember") : .member
        default: self = .unknown("users.json gives no userType for the user")
        }
    }

    public var description: String {
        switch self {
        case .member: "member"
        case .external(let type): type
        case .unknown: "unknown type"
        }
    }

    /// How a guests-or-external-users selection applies to this user.
    public enum Match: Equatable, Sendable {
        case yes(String)
        case no
        /// The snapshot cannot tell; the reason says what is missing.
        case undecided(String)
    }

    /// Whether `selection` selects this user. External tenants: a user's
    /// home tenant is not in the snapshot, so an enumerated list of tenants
    /// leaves a B2B user undecided (the caller decides on the side that
    /// awards no point).
    public func matches(_ selection: Secscore_Tenant_V1_GuestsOrExternalUsers) -> Match {
        let types = Set(selection.guestOrExternalUserTypes.map { $0.lowercased() })
        switch self {
        case .member:
            return .no
        case .unknown(let why):
            return .undecided("cannot tell whether the admin is a guest or external user: \(why)")
        case .external(let type):
            guard types.contains(type.lowercased()) else {
                // A type Graph adds later might be this user's.
                let unknownTypes = types.subtracting(Self.knownTypes)
                if !unknownTypes.isEmpty {
                    return .undecided("the policy names guest or external user type \(unknownTypes.sorted().joined(separator: ", ")), which secscore does not know")
                }
                return .no
            }
            // externalTenants narrows the B2B types to home tenants; an
            // internal guest has no other home tenant.
            if type == "internalGuest" { return .yes(type) }
            switch selection.externalTenantsMembershipKind.lowercased() {
            case "", "all": return .yes(type)
            case "enumerated":
                return .undecided("the policy selects \(type) users of \(selection.externalTenantIds.count) listed tenants, and the snapshot does not say which tenant is the admin's home")
            default:
                return .undecided("the policy's externalTenants membershipKind is \"\(selection.externalTenantsMembershipKind)\", which secscore does not know")
            }
        }
    }

    static let knownTypes: Set<String> = [
        "internalguest", "b2bcollaborationguest", "b2bcollaborationmember", "b2bdirectconnectuser",
        "otherexternaluser", "serviceprovider",
    ]

    /// The legacy `GuestsOrExternalUsers` value in includeUsers/excludeUsers:
    /// every guest or external user.
    public var isGuestOrExternal: Bool? {
        switch self {
        case .member: false
        case .external: true
        case .unknown: nil
        }
    }
}
