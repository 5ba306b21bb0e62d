import PluginHost
import SecScoreCheckers
import SecScoreTestSupport
import SecScoreWire

/// Runs a checker in process or through its real plugin process, so every
/// rule test proves both paths give the same verdict.
enum Via: String, CaseIterable, Sendable, CustomStringConvertible {
    case inProcess, plugin
    var description: String { rawValue }
}

func run(_ input: CheckInput, via: Via) async throws -> Secscore_Plugin_V1_Finding {
    switch via {
    case .inProcess:
        guard let checker = CheckerRegistry.shipped.checker(for: input.requirementID) else {
            fatalError("no in-process checker for \(input.requirementID)")
        }
        return checker.evaluate(input)
    case .plugin:
        let name = [
            AdminMFAChecker.requirementID: "secscore-plugin-admin-mfa",
            AlertResponseChecker.requirementID: "secscore-plugin-alert-response",
            SpendingBudgetChecker.requirementID: "secscore-plugin-spending-budget",
            "securityContactProvided": "secscore-plugin-security-contact",
            "mfaEnforcedForAdminsOfCustomers": "secscore-plugin-customer-mfa",
        ][input.requirementID]!
        let connection = try await PluginConnection.launch(PluginExecutable(path: product(name)))
        var request = Secscore_Plugin_V1_EvaluateRequest()
        request.requirementID = input.requirementID
        request.context = input.context
        request.facets = input.facets
        request.parameters = input.parameters.sorted { $0.key < $1.key }.map { k, v in
            var p = Secscore_Plugin_V1_Parameter()
            p.name = k
            p.values = v
            return p
        }
        defer { Task { await connection.shutdown() } }
        let finding = try await connection.evaluate(request)
        await connection.shutdown()
        return finding
    }
}

func run(via: Via, _ input: CheckInput) async throws -> Secscore_Plugin_V1_Finding {
    try await run(input, via: via)
}
