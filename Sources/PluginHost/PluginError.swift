public import SecScoreWire
import SystemPackage

/// Why a plugin or one call to it failed. Every failure the host can see is
/// one of these, with a sentence that names the plugin and what happened.
///
/// A struct over a private enum so that new codes do not break callers.
public struct PluginError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Storage: String, Hashable, Sendable {
            case spawnFailed, untrusted, handshakeFailed, refused, protocolViolation
            case exited, deadlineExceeded, cancelled, shutDown, requestTooLarge
            case pluginReported, resourceExhausted
        }
        let storage: Storage

        /// The executable could not be started.
        public static let spawnFailed = Code(storage: .spawnFailed)
        /// The executable failed a trust check (permissions, pinned digest).
        public static let untrusted = Code(storage: .untrusted)
        /// No valid WELCOME in time.
        public static let handshakeFailed = Code(storage: .handshakeFailed)
        /// The plugin answered HELLO with GOAWAY.
        public static let refused = Code(storage: .refused)
        /// The plugin broke the protocol and was stopped.
        public static let protocolViolation = Code(storage: .protocolViolation)
        /// The plugin process ended while it owed answers.
        public static let exited = Code(storage: .exited)
        /// A request passed its deadline.
        public static let deadlineExceeded = Code(storage: .deadlineExceeded)
        /// The caller cancelled the request.
        public static let cancelled = Code(storage: .cancelled)
        /// The connection was shut down before the call could run.
        public static let shutDown = Code(storage: .shutDown)
        /// The request is larger than the plugin accepts.
        public static let requestTooLarge = Code(storage: .requestTooLarge)
        /// The plugin answered with a call error of its own.
        public static let pluginReported = Code(storage: .pluginReported)
        /// The plugin used more than the host allows (log volume, memory).
        public static let resourceExhausted = Code(storage: .resourceExhausted)

        public var description: String { storage.rawValue }
    }

    public let code: Code
    /// The plugin's name (or path, before the handshake told its name).
    public let plugin: String
    /// The canonical code the plugin sent, for `.pluginReported`.
    public let callCode: Secscore_Plugin_V1_Code?
    private let message: String
    /// The process died while starting (as opposed to refusing, hanging or
    /// failing a trust check): starting it again may well work.
    let diedWhileStarting: Bool

    public var description: String { "plugin \(plugin): \(message)" }

    /// The sentence without the plugin's name.
    public var reason: String { message }

    init(_ code: Code, plugin: String, _ message: String, callCode: Secscore_Plugin_V1_Code? = nil, diedWhileStarting: Bool = false) {
        self.code = code
        self.plugin = plugin
        self.message = message
        self.callCode = callCode
        self.diedWhileStarting = diedWhileStarting
    }

    static func spawn(_ path: String, step: String, errno err: Errno) -> PluginError {
        PluginError(.spawnFailed, plugin: path, "cannot start \(path): \(step) failed: \(err) (errno \(err.rawValue))")
    }

    /// Wraps an error that is not a `PluginError` (should not happen).
    public static func unexpected(_ error: any Error, plugin: String) -> PluginError {
        PluginError(.exited, plugin: plugin, "unexpected error: \(error)")
    }
}
