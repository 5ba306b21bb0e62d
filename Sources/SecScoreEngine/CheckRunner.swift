public import PluginHost
public import SecScoreWire

/// Something that evaluates requirements: the plugin processes, or checks
/// linked into the host (tests, and the isolation benchmark).
public protocol CheckRunner: Sendable {
    /// The check that answers `requirementID`, if any.
    func check(for requirementID: String) -> CheckBinding?
    /// Why requirements may be missing a check (plugins that failed to start).
    var unavailableReasons: [String] { get }
    /// The commit point: after it, every answer given so far can be judged
    /// (`CheckAnswer.laterFailure`) with nothing left unread. For plugin
    /// processes it ends them politely and reads their output to the end;
    /// the next request starts fresh ones. Call only while no check runs.
    func commit() async
}

extension CheckRunner {
    /// Checks linked into the host have nothing to wait for.
    public func commit() async {}
}

/// One answer of a check.
public struct CheckAnswer: Sendable {
    /// The finding, or why none came.
    public var result: Result<Secscore_Plugin_V1_Finding, PluginError>
    /// Asked after the runner's commit point: a failure of whatever gave
    /// this answer that makes it untrustworthy (the plugin process broke the
    /// protocol after answering), or nil.
    public var laterFailure: @Sendable () -> PluginError?

    public init(
        _ result: Result<Secscore_Plugin_V1_Finding, PluginError>,
        laterFailure: @escaping @Sendable () -> PluginError? = { nil }
    ) {
        self.result = result
        self.laterFailure = laterFailure
    }
}

/// A requirement's check: what it reads and how to run it.
public struct CheckBinding: Sendable {
    /// The plugin's name, for reports.
    public var pluginName: String
    public var descriptor: Secscore_Plugin_V1_CheckDescriptor
    /// Runs one request with a deadline.
    public var evaluate: @Sendable (Secscore_Plugin_V1_EvaluateRequest, Duration) async -> CheckAnswer

    public init(
        pluginName: String, descriptor: Secscore_Plugin_V1_CheckDescriptor,
        evaluate: @escaping @Sendable (Secscore_Plugin_V1_EvaluateRequest, Duration) async -> CheckAnswer
    ) {
        self.pluginName = pluginName
        self.descriptor = descriptor
        self.evaluate = evaluate
    }
}

extension PluginSet: CheckRunner {
    public func check(for requirementID: String) -> CheckBinding? {
        guard let plugin = plugin(for: requirementID),
              let descriptor = plugin.info.manifest.checks.first(where: { $0.requirementID == requirementID })
        else { return nil }
        return CheckBinding(pluginName: plugin.info.name, descriptor: descriptor) { request, timeout in
            let answer = await plugin.evaluate(request, timeout: timeout)
            return CheckAnswer(answer.result, laterFailure: { answer.laterFailure })
        }
    }

    public var unavailableReasons: [String] {
        launchFailures.map(\.description)
    }

    public func commit() async {
        await withTaskGroup(of: Void.self) { group in
            for plugin in plugins { group.addTask { await plugin.retire() } }
        }
    }
}
