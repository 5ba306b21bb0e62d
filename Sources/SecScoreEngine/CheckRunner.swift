public import PluginHost
public import SecScoreWire

/// Something that evaluates requirements: the plugin processes, or checks
/// linked into the host (tests, and the isolation benchmark).
public protocol CheckRunner: Sendable {
    /// The check that answers `requirementID`, if any.
    func check(for requirementID: String) -> CheckBinding?
    /// Why requirements may be missing a check (plugins that failed to start).
    var unavailableReasons: [String] { get }
}

/// A requirement's check: what it reads and how to run it.
public struct CheckBinding: Sendable {
    /// The plugin's name, for reports.
    public var pluginName: String
    public var descriptor: Secscore_Plugin_V1_CheckDescriptor
    /// Runs one request. A `PluginError` describes why no finding came.
    public var evaluate: @Sendable (Secscore_Plugin_V1_EvaluateRequest, Duration) async -> Result<Secscore_Plugin_V1_Finding, PluginError>
    /// After all requests: a failure that makes this check's earlier answers
    /// untrustworthy (the plugin later broke the protocol), or nil.
    public var laterFailure: @Sendable () -> PluginError?

    public init(
        pluginName: String, descriptor: Secscore_Plugin_V1_CheckDescriptor,
        evaluate: @escaping @Sendable (Secscore_Plugin_V1_EvaluateRequest, Duration) async -> Result<Secscore_Plugin_V1_Finding, PluginError>,
        laterFailure: @escaping @Sendable () -> PluginError? = { nil }
    ) {
        self.pluginName = pluginName
        self.descriptor = descriptor
        self.evaluate = evaluate
        self.laterFailure = laterFailure
    }
}

extension PluginSet: CheckRunner {
    public func check(for requirementID: String) -> CheckBinding? {
        guard let connection = connection(for: requirementID),
              let descriptor = connection.info.manifest.checks.first(where: { $0.requirementID == requirementID })
        else { return nil }
        return CheckBinding(
            pluginName: connection.info.name, descriptor: descriptor,
            evaluate: { request, timeout in
                do {
                    return .success(try await connection.evaluate(request, timeout: timeout))
                } catch let error as PluginError {
                    return .failure(error)
                } catch {
                    return .failure(PluginError.unexpected(error, plugin: connection.info.name))
                }
            },
            laterFailure: {
                // Only a protocol violation taints answers already given; a
                // crash after a correct answer does not.
                guard let failure = connection.failure, failure.code == .protocolViolation else { return nil }
                return failure
            })
    }

    public var unavailableReasons: [String] {
        launchFailures.map(\.description)
    }
}
