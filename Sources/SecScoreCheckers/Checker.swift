public import SecScoreWire

/// One requirement's rule, declared once: what a plugin's manifest says about
/// it (requirement id, title, description, facets, principal scope) and how
/// it decides. The shipped Swift plugins serve checkers
/// (`SecScoreCheckerPlugin`), in-process runners call them through
/// `CheckerRegistry`, and both read only these declarations.
///
/// Checkers are caseless enums: a rule has no state, so a set of checkers is
/// a list of types (`[any Checker.Type]`), as swift-argument-parser lists a
/// command's subcommands.
public protocol Checker: Sendable {
    /// The catalog requirement this checker decides, e.g. "mfaEnforcedForAdmins".
    static var requirementID: String { get }
    /// A short name, shown by `secscore plugins`.
    static var title: String { get }
    /// What is checked, in a sentence or two.
    static var description: String { get }
    /// Facets the checker cannot decide without. The host answers "could not
    /// check" itself when one is missing from the snapshot.
    static var requiredFacets: [Secscore_Tenant_V1_Facet] { get }
    /// Facets it reads when the snapshot has them (default: none).
    static var optionalFacets: [Secscore_Tenant_V1_Facet] { get }
    /// Which users it receives (default: all); `.roleHolders` for rules about
    /// administrators, for least privilege.
    static var principalScope: Secscore_Plugin_V1_PrincipalScope { get }

    /// Decides the requirement. Data it cannot judge gives a `couldNotCheck`
    /// finding that says why; it never throws.
    /// - Returns: a finding whose `requirementID` is `requirementID`.
    static func evaluate(_ input: CheckInput) -> Secscore_Plugin_V1_Finding
}

extension Checker {
    public static var optionalFacets: [Secscore_Tenant_V1_Facet] { [] }
    public static var principalScope: Secscore_Plugin_V1_PrincipalScope { .all }

    /// The manifest entry a plugin serving this checker sends in WELCOME.
    public static var descriptor: Secscore_Plugin_V1_CheckDescriptor {
        Secscore_Plugin_V1_CheckDescriptor(
            requirementID: requirementID, title: title, description: description,
            requiredFacets: requiredFacets, optionalFacets: optionalFacets, principalScope: principalScope)
    }

    /// Decides a protocol request (repeated parameters joined by name).
    public static func evaluate(_ request: Secscore_Plugin_V1_EvaluateRequest) -> Secscore_Plugin_V1_Finding {
        evaluate(CheckInput(request))
    }
}
