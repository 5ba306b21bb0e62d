// secscore-plugin-admin-mfa: MFA for every admin of the partner tenant
import SecScoreCheckers
import SecScorePluginKit

@main
struct AdminMFAPlugin: SecScorePlugin {
    static let name = "admin-mfa"
    static let version = "1.0.0"
    static let checks = [
        CheckDefinition(
            requirementID: AdminMFAChecker.requirementID,
            title: "MFA for every admin of the partner tenant",
            description: "Every admin (active or PIM-eligible) is covered by security defaults, a Conditional Access policy or per-user MFA, and has registered MFA.",
            requiredFacets: AdminMFAChecker.requiredFacets,
            optionalFacets: AdminMFAChecker.optionalFacets,
            principalScope: AdminMFAChecker.principalScope)
    ]

    func evaluate(_ request: CheckRequest) async throws -> Finding {
        let input = CheckInput(
            requirementID: request.requirementID, context: request.context,
            facets: request.facets, parameters: request.parameters)
        return Finding(AdminMFAChecker.evaluate(input))
    }
}
