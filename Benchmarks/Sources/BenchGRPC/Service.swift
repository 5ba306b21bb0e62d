public import GRPCCore
public import SecScoreWire

/// The example C plugin's check as a gRPC service: the same request in,
/// the same kind of finding out, so the comparison measures the transport.
public struct PluginServiceImpl: Secscore_Bench_V1_PluginService.SimpleServiceProtocol {
    public init() {}

    public func evaluate(
        request: Secscore_Plugin_V1_EvaluateRequest, context: ServerContext
    ) async throws -> Secscore_Plugin_V1_EvaluateResponse {
        var finding = Secscore_Plugin_V1_Finding()
        finding.requirementID = request.requirementID
        let email = request.facets.securityContact.email
        if let at = email.lastIndex(of: "@") {
            let domain = email[email.index(after: at)...]
            finding.status = .compliant
            finding.insights = ["The security contact uses the organisation's own domain (\(domain))."]
        } else {
            finding.status = .couldNotCheck
            finding.insights = ["The security contact has no email address to check."]
        }
        var response = Secscore_Plugin_V1_EvaluateResponse()
        response.finding = finding
        return response
    }
}
