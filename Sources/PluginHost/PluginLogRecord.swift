import SecScoreWire

/// One line a plugin logged, on stderr or in a LOG frame, already made safe
/// to print: control characters and bidirectional overrides are escaped.
public struct PluginLogRecord: Hashable, Sendable, CustomStringConvertible {
    /// Where the line came from.
    public enum Source: Hashable, Sendable {
        case stderr
        case logFrame
        /// The host's own note about the plugin (spawn, exit, violations).
        case host
    }

    /// How severe the line is; stderr lines are `.info` unless the host
    /// reports on the plugin.
    public enum Level: Int, Hashable, Sendable, Comparable, CustomStringConvertible {
        case trace = 1, debug, info, warning, error

        public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }

        public var description: String {
            switch self {
            case .trace: "trace"
            case .debug: "debug"
            case .info: "info"
            case .warning: "warning"
            case .error: "error"
            }
        }
    }

    public var plugin: String
    public var source: Source
    public var level: Level
    public var message: String
    /// Key-value pairs from a LOG frame, sanitised like the message.
    public var fields: [(String, String)] {
        get { fieldStorage.map { ($0.key, $0.value) } }
        set { fieldStorage = newValue.map { Field(key: $0.0, value: $0.1) } }
    }
    /// The request the line is about, when the plugin said.
    public var requestID: UInt32?

    private var fieldStorage: [Field]
    private struct Field: Hashable, Sendable {
        var key: String
        var value: String
    }

    public init(
        plugin: String, source: Source, level: Level, message: String,
        fields: [(String, String)] = [], requestID: UInt32? = nil
    ) {
        self.plugin = plugin
        self.source = source
        self.level = level
        self.message = message
        self.fieldStorage = fields.map { Field(key: $0.0, value: $0.1) }
        self.requestID = requestID
    }

    public var description: String {
        var line = "[\(plugin)] \(level): \(message)"
        for field in fieldStorage {
            line += " \(field.key)=\(field.value)"
        }
        return line
    }
}

extension PluginLogRecord.Level {
    init(_ level: Secscore_Plugin_V1_LogLevel) {
        switch level {
        case .trace: self = .trace
        case .debug: self = .debug
        case .warning: self = .warning
        case .error: self = .error
        default: self = .info
        }
    }

    var wire: Secscore_Plugin_V1_LogLevel {
        switch self {
        case .trace: .trace
        case .debug: .debug
        case .info: .info
        case .warning: .warning
        case .error: .error
        }
    }
}
