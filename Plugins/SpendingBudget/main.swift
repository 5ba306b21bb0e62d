// secscore-plugin-spending-budget: A spending budget on every customer's Azure subscriptions
import SecScoreCheckers
import SecScorePluginKit

@main
struct SpendingBudgetPlugin: SecScorePlugin {
    static let name = "spending-budget"
    static let version = "1.0.0"
    static let checks = [
        CheckDefinition(
            requirementID: SpendingBudgetChecker.requirementID,
            title: "A spending budget on every customer's Azure subscriptions",
            description: "Every customer with Azure subscriptions has a budget; traditional commerce earns nothing.",
            requiredFacets: SpendingBudgetChecker.requiredFacets)
    ]

    func evaluate(_ request: CheckRequest) async throws -> Finding {
        let input = CheckInput(
            requirementID: request.requirementID, context: request.context,
            facets: request.facets, parameters: request.parameters)
        return Finding(SpendingBudgetChecker.evaluate(input))
    }
}
