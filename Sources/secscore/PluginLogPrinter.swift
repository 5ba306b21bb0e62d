import Logging
import PluginHost

/// `--verbose`: every plugin log record on stderr, one line each, as
/// `[plugin] level: message key=value …` (the LOG frame's fields sorted by
/// key). The host has already sanitised and bounded every part.
struct PluginLogPrinter: LogHandler {
    var logLevel: Logger.Level = .debug
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    /// A logger at `level` that prints through this handler.
    static func logger(level: Logger.Level = .debug) -> Logger {
        var logger = Logger(label: "secscore.plugins", factory: { _ in PluginLogPrinter() })
        logger.logLevel = level
        return logger
    }

    func log(event: LogEvent) {
        let record = metadata.merging(event.metadata ?? [:]) { _, new in new }
        var line = "[\(record[PluginLog.Key.plugin].map { "\($0)" } ?? "secscore")] \(event.level): \(event.message)"
        if case .dictionary(let fields)? = record[PluginLog.Key.fields] {
            for (key, value) in fields.sorted(by: { $0.key < $1.key }) { line += " \(key)=\(value)" }
        }
        printError(line)
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
}
