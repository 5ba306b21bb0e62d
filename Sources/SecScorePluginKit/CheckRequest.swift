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
    let session: PluginSession

    /// Sends a LOG line about this request to the host.
    public func log(_ level: Secscore_Plugin_V1_LogLevel, _ message: String, _ fields: [String: String] = [:]) {
        session.log(level, message, fields: fields, requestID: id)
    }

    /// Tells the host how far along the check is.
    public func reportProgress(completed: UInt64, total: UInt64, message: String = "") {
        session.progress(id: id, completed: completed, total: total, message: message)
    }
}
