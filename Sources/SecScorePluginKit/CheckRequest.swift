public import Logging
public import SecScoreWire

/// One evaluation the host asked for, with the data the check declared.
public struct CheckRequest: Sendable {
    /// The protocol's request id, unique within the session.
    public let id: UInt32
    public let requirementID: String
    /// As-of date, "now", partner type, edition.
    public let context: Secscore_Plugin_V1_EvaluationContext
    /// Only the facets the check declared, and only those the snapshot had:
    /// test presence with `hasUsers` and friends.
    public let facets: Secscore_Tenant_V1_Facets
    /// Catalog parameters by name.
    public let parameters: [String: [String]]
    /// When the host stops waiting (monotonic time). Checks that loop over
    /// large data can compare against it or just watch `Task.isCancelled`.
    public let deadline: ContinuousClock.Instant
    /// A swift-log logger whose records reach the host as LOG frames about
    /// this request, metadata as the frame's fields:
    /// `request.logger.debug("counted admins", metadata: ["count": "\(n)"])`.
    /// It is also `Logger.current` while `evaluate` runs, so libraries that
    /// log through the task-local logger reach the host too. Its level is
    /// the one the host asked for; the host bounds and sanitises every line.
    public let logger: Logger
    let session: PluginSession

    init(
        id: UInt32, requirementID: String, context: Secscore_Plugin_V1_EvaluationContext,
        facets: Secscore_Tenant_V1_Facets, parameters: [String: [String]], deadline: ContinuousClock.Instant,
        session: PluginSession, logLevel: Logger.Level, label: String
    ) {
        self.id = id
        self.requirementID = requirementID
        self.context = context
        self.facets = facets
        self.parameters = parameters
        self.deadline = deadline
        self.session = session
        self.logger = Logger(label: label) { _ in HostLogHandler(session: session, requestID: id, logLevel: logLevel) }
    }

    /// Sends a LOG line about this request to the host: the same as
    /// `logger.log(level:_:metadata:)` with the protocol's level and string
    /// fields.
    public func log(_ level: Secscore_Plugin_V1_LogLevel, _ message: String, _ fields: [String: String] = [:]) {
        logger.log(level: Logger.Level(wire: level), "\(message)", metadata: fields.mapValues { .string($0) })
    }

    /// Tells the host how far along the check is.
    public func reportProgress(completed: UInt64, total: UInt64, message: String = "") {
        session.progress(id: id, completed: completed, total: total, message: message)
    }
}
