public import Logging
import SecScoreWire

/// How plugins' log lines reach the host program: as swift-log records on
/// `PluginHostConfiguration.logger`.
///
/// Every line a plugin writes to stderr becomes an `info` record; every LOG
/// frame a record at the plugin's own level, its fields under
/// `Key.fields`; the host's notes about a plugin (a skipped frame type) are
/// records too. Messages and field values are already sanitised (control
/// characters and bidirectional overrides escaped) and cut to
/// `maxLogLineBytes`, so a handler may print them as they are.
///
/// A plugin's own keys are nested under `Key.fields`, never merged into the
/// record's metadata, so a plugin cannot pass itself off as another by
/// logging a field named `plugin`.
public enum PluginLog {
    /// The metadata keys of a plugin's log record.
    public enum Key {
        /// The plugin's name (its file name until WELCOME names it).
        public static let plugin = "plugin"
        /// Its process id; absent for an in-process peer.
        public static let pid = "plugin.pid"
        /// Where the line came from: a `Source` raw value.
        public static let source = "plugin.source"
        /// The request the line is about, when the plugin said.
        public static let requestID = "plugin.request"
        /// A LOG frame's key-value pairs, as a dictionary of strings.
        public static let fields = "plugin.fields"
    }

    /// Where a line came from.
    public enum Source: String, Sendable {
        case stderr
        case logFrame = "log-frame"
        /// The host's own note about the plugin.
        case host
    }

    /// A logger that discards every record, at level `info` (which is also
    /// what the host asks plugins for in HELLO): the configuration's default,
    /// since a library must not print unless its program asks it to.
    public static var discarding: Logger {
        Logger(label: "secscore.plugin-host", factory: { _ in DiscardingLogHandler() })
    }
}

/// Discards everything, but keeps the level it is given (unlike swift-log's
/// `SwiftLogNoOpLogHandler`, whose level is always `critical`): the level is
/// what HELLO asks plugins for, and it must not change because nobody reads.
struct DiscardingLogHandler: LogHandler {
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    func log(event: LogEvent) {}

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
}

extension Logger.Level {
    /// The level of a LOG frame (an unknown value reads as info).
    init(plugin level: Secscore_Plugin_V1_LogLevel) {
        switch level {
        case .trace: self = .trace
        case .debug: self = .debug
        case .warning: self = .warning
        case .error: self = .error
        default: self = .info
        }
    }

    /// The least severe wire level whose records a logger at this level
    /// keeps: what the host asks for in HELLO. The wire has no notice or
    /// critical; a plugin's info is below notice and its error the most a
    /// critical logger can get.
    var pluginWire: Secscore_Plugin_V1_LogLevel {
        switch self {
        case .trace: .trace
        case .debug: .debug
        case .info: .info
        case .notice, .warning: .warning
        case .error, .critical: .error
        }
    }
}
