public import SecScoreWire

/// Something that runs requirement checks: the plugin processes (the
/// `PluginCheckRunner` module), or checks linked into the host (tests, the
/// isolation benchmark). The engine knows checks, never transports, as
/// grpc-swift-2's core knows `ClientTransport` and no transport.
public protocol CheckRunner: Sendable {
    /// The check that answers `requirementID`, if any.
    func check(for requirementID: String) -> CheckBinding?
    /// Why requirements may be missing a check (e.g. plugins that failed to
    /// start), for the could-not-check reason.
    var unavailableReasons: [String] { get }
    /// The commit point: after it, every answer given so far can be judged
    /// (`CheckAnswer.laterFailure`) with nothing left unread. Plugin
    /// processes are ended politely and their output read to the end; the
    /// next request starts fresh ones. Call only while no check runs.
    func commit() async
}

extension CheckRunner {
    /// Checks linked into the host have nothing to wait for.
    public func commit() async {}
}

/// One answer of a check.
public struct CheckAnswer: Sendable {
    /// The finding, or why none came.
    public var result: Result<Secscore_Plugin_V1_Finding, CheckFailure>
    /// Asked after the runner's commit point: a failure of whatever gave
    /// this answer that makes it untrustworthy (a plugin process broke the
    /// protocol after answering), or nil.
    public var laterFailure: @Sendable () -> CheckFailure?

    public init(
        _ result: Result<Secscore_Plugin_V1_Finding, CheckFailure>,
        laterFailure: @escaping @Sendable () -> CheckFailure? = { nil }
    ) {
        self.result = result
        self.laterFailure = laterFailure
    }
}

/// A requirement's check: what it reads and how to run it.
public struct CheckBinding: Sendable {
    /// Who answers, as reports name it (a plugin's name).
    public var name: String
    /// The check's declaration: requirement, required and optional facets,
    /// principal scope.
    public var descriptor: Secscore_Plugin_V1_CheckDescriptor
    /// Runs one request with a deadline.
    public var evaluate: @Sendable (Secscore_Plugin_V1_EvaluateRequest, Duration) async -> CheckAnswer

    public init(
        name: String, descriptor: Secscore_Plugin_V1_CheckDescriptor,
        evaluate: @escaping @Sendable (Secscore_Plugin_V1_EvaluateRequest, Duration) async -> CheckAnswer
    ) {
        self.name = name
        self.descriptor = descriptor
        self.evaluate = evaluate
    }
}
