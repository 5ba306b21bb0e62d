// secscore-plugin-alert-response: Average response to security alerts within 24 hours
import SecScoreCheckers
import SecScorePluginKit

@main
struct AlertResponsePlugin: SecScorePlugin {
    static let name = "alert-response"
    static let version = "1.0.0"
    static let checks = [
        CheckDefinition(
            requirementID: AlertResponseChecker.requirementID,
            title: "Average response to security alerts within 24 hours",
            description: "Average time from detection to the first partner change over the alerts of the last 30 days.",
            requiredFacets: AlertResponseChecker.requiredFacets)
    ]

    func evaluate(_ request: CheckRequest) async throws -> Finding {
        let input = CheckInput(
            requirementID: request.requirementID, context: request.context,
            facets: request.facets, parameters: request.parameters)
        return Finding(AlertResponseChecker.evaluate(input))
    }
}
