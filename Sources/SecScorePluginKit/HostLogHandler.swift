import Logging
import SecScoreWire

/// The swift-log handler behind `CheckRequest.logger`: each record becomes a
/// LOG frame to the host about one request, its metadata the frame's fields
/// (values as text, sorted by key).
///
/// Its level starts at the one the host asked for in HELLO, so records the
/// host would drop are not even formatted; records below that level are
/// never sent, even when a check lowers its logger's level.
struct HostLogHandler: LogHandler {
    let session: PluginSession
    let requestID: UInt32
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let own = event.metadata { merged.merge(own) { _, new in new } }
        var fields = merged.mapValues { "\($0)" }
        if let error = event.error { fields["error"] = "\(error)" }
        session.log(event.level.wire, "\(event.message)", fields: fields, requestID: requestID)
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
}

extension Logger.Level {
    /// The LOG frame's level. The wire has no notice or critical: notice
    /// goes as info, critical as error.
    var wire: Secscore_Plugin_V1_LogLevel {
        switch self {
        case .trace: .trace
        case .debug: .debug
        case .info, .notice: .info
        case .warning: .warning
        case .error, .critical: .error
        }
    }

    /// The level of a wire level (unspecified, as in a HELLO that names
    /// none, reads as info).
    init(wire level: Secscore_Plugin_V1_LogLevel) {
        switch level {
        case .trace: self = .trace
        case .debug: self = .debug
        case .warning: self = .warning
        case .error: self = .error
        default: self = .info
        }
    }
}
