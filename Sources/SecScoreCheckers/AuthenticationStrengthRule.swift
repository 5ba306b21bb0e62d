public import SecScoreWire

/// Whether an authentication strength in a grant control requires
/// multifactor authentication: only when every allowed combination is
/// multifactor, because a sign-in may use any of them (Graph
/// `authenticationStrengthPolicy.allowedCombinations`, modes from
/// `authenticationMethodModes`; Microsoft Entra documentation, "Conditional
/// Access authentication strengths", built-in strengths).
public enum AuthenticationStrengthRule {
    /// Modes that are multifactor on their own (the built-in "Multifactor
    /// authentication" strength allows each of them alone).
    static let multifactorAlone: Set<String> = [
        "windowshelloforbusiness", "fido2", "x509certificatemultifactor", "devicebasedpush",
        "temporaryaccesspassonetime", "temporaryaccesspassmultiuse", "federatedmultifactor",
    ]
    /// Every mode of `authenticationMethodModes` secscore knows.
    static let knownModes: Set<String> = multifactorAlone.union([
        "password", "voice", "hardwareoath", "softwareoath", "sms", "microsoftauthenticatorpush", "email",
        "x509certificatesinglefactor", "federatedsinglefactor", "qrcodepin",
    ])

    public enum Verdict: Equatable, Sendable {
        case multifactor
        /// At least one allowed combination is a single factor (named).
        case singleFactor([String])
        /// The strength was exported without its combinations, or names a
        /// mode secscore does not know.
        case unknown(String)
    }

    public static func verdict(_ s: Secscore_Tenant_V1_AuthenticationStrength) -> Verdict {
        let name = s.displayName.isEmpty ? s.id : s.displayName
        guard !s.allowedCombinations.isEmpty else {
            return .unknown("authentication strength '\(name)' was exported without its allowedCombinations")
        }
        var single: [String] = []
        var unknownModes: [String] = []
        for combination in s.allowedCombinations {
            let modes = Set(combination.split(separator: ",").map { String($0).trimmed(" ").lowercased() }.filter { !$0.isEmpty })
            let unknown = modes.subtracting(knownModes)
            if !unknown.isEmpty {
                unknownModes += unknown.sorted()
                continue
            }
            if modes.count >= 2 || !modes.isDisjoint(with: multifactorAlone) { continue }
            single.append(combination)
        }
        if !single.isEmpty { return .singleFactor(single) }
        if !unknownModes.isEmpty {
            // A mode we do not know might be a single factor: fail closed.
            return .singleFactor(unknownModes.map { "\($0) (a mode secscore does not know)" })
        }
        return .multifactor
    }
}

extension String {
    /// Without leading and trailing `c`.
    func trimmed(_ c: Character) -> String {
        var s = Substring(self)
        while s.first == c { s.removeFirst() }
        while s.last == c { s.removeLast() }
        return String(s)
    }
}
