public import Logging

/// How the host runs plugins: deadlines, limits and where their logs go.
/// The defaults suit an interactive `secscore evaluate`.
public struct PluginHostConfiguration: Sendable {
    /// Name and version the host announces in HELLO.
    public var hostName = "secscore"
    public var hostVersion = "0.1.0"
    /// Time from spawn until a valid WELCOME.
    public var handshakeTimeout: Duration = .seconds(10)
    /// Deadline for one request when the caller names none.
    public var requestTimeout: Duration = .seconds(30)
    /// After the host cancels a request (deadline or caller), how long the
    /// plugin has to send the request's terminal response before the host
    /// declares it hung and stops it.
    public var cancelGrace: Duration = .seconds(1)
    /// After GOAWAY and closing stdin, how long the plugin has to exit before
    /// SIGTERM.
    public var shutdownGrace: Duration = .seconds(2)
    /// After SIGTERM, how long before SIGKILL.
    public var terminateGrace: Duration = .seconds(1)
    /// Largest frame payload the host accepts; negotiated down with the plugin.
    public var maxFrameBytes: UInt32 = 4 << 20
    /// Largest reassembled message the host accepts from a plugin.
    public var maxMessageBytes: UInt64 = 256 << 20
    /// Requests in flight per plugin, at most (the plugin may ask for fewer).
    public var maxConcurrentRequests = 64
    /// Log bytes (stderr and LOG frames together) a plugin may produce in one
    /// session before the host stops it for flooding.
    public var logBudgetBytes = 16 << 20
    /// Longest log line kept; longer lines are cut with a note.
    public var maxLogLineBytes = 8 << 10
    /// Receives every plugin log line, sanitised, as a record with
    /// `PluginLog.Key` metadata (plugin name, pid, source, request, the LOG
    /// frame's fields). Its `logLevel` is also what HELLO asks plugins for,
    /// so they need not send what would be dropped. The handler is called
    /// on the plugin's I/O thread or on the thread of a caller reading its
    /// own answer; keep it quick. Default: discards, at level info.
    public var logger: Logger = PluginLog.discarding
    /// The complete environment of a plugin process: nothing of the host's
    /// own environment leaks unless listed in `passthroughEnvironment`.
    public var environment: [String: String] = [
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "TZ": "UTC",
        "SECSCORE_PLUGIN_PROTOCOL": "1",
    ]
    /// Names of host environment variables copied to plugins (e.g. a proxy
    /// setting a plugin needs). Empty by default.
    public var passthroughEnvironment: [String] = []
    /// Kernel limits set on every plugin process.
    public var resourceLimits = ResourceLimits()
    /// When a plugin whose process died is started again (`PluginSet`).
    public var restartPolicy = RestartPolicy()

    public init() {}

    /// The environment a plugin is started with.
    func pluginEnvironment(host: [String: String]) -> [String: String] {
        var env = environment
        for name in passthroughEnvironment {
            if let value = host[name] { env[name] = value }
        }
        return env
    }
}
