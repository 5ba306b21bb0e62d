public import SecScoreWire
package import SystemPackage

/// A live session with one plugin process.
///
/// `launch` spawns the plugin and completes the handshake; `evaluate` sends
/// requests, any number at once (the connection queues past the plugin's
/// declared concurrency); `shutdown` ends the session the polite way and then
/// the firm way. Whatever the plugin does, every call returns within its
/// deadline plus the cancel grace, and the process is reaped when the
/// session ends: a plugin that breaks the protocol is stopped at once and all
/// its calls fail with the reason.
public final class PluginConnection: Sendable {
    let core: ConnectionCore

    /// What the plugin declared in WELCOME.
    public let info: PluginInfo

    /// The executable this session runs.
    public let executable: PluginExecutable

    private init(core: ConnectionCore, info: PluginInfo, executable: PluginExecutable) {
        self.core = core
        self.info = info
        self.executable = executable
    }

    deinit {
        core.requestShutdown()
    }

    /// Spawns `executable`, sends HELLO and waits for WELCOME.
    /// - Throws: `PluginError` when the plugin cannot start, is not trusted,
    ///   refuses, breaks the protocol or is not ready within the handshake
    ///   timeout. The process is gone by the time this throws.
    public static func launch(
        _ executable: PluginExecutable,
        configuration: PluginHostConfiguration = PluginHostConfiguration(),
        hostEnvironment: [String: String] = [:]
    ) async throws(PluginError) -> PluginConnection {
        let process = try PluginProcess.spawn(
            executable,
            environment: configuration.pluginEnvironment(host: hostEnvironment),
            limits: configuration.resourceLimits)
        let core = ConnectionCore(
            name: executable.displayName, configuration: configuration,
            stdin: process.stdin!, stdout: process.stdout!, stderr: process.stderr, process: process)
        return try await handshake(core, executable: executable)
    }

    /// Runs a session over descriptors that are already connected to a peer
    /// in this process (tests, benchmarks): `writeFD` carries frames to the
    /// plugin and `readFD` brings them back. The connection owns and closes
    /// both.
    package static func connect(
        readFD: FileDescriptor, writeFD: FileDescriptor, name: String,
        configuration: PluginHostConfiguration = PluginHostConfiguration()
    ) async throws(PluginError) -> PluginConnection {
        let core = ConnectionCore(
            name: name, configuration: configuration, stdin: writeFD, stdout: readFD, stderr: nil, process: nil)
        return try await handshake(core, executable: PluginExecutable(path: name))
    }

    private static func handshake(
        _ core: ConnectionCore, executable: PluginExecutable
    ) async throws(PluginError) -> PluginConnection {
        let result = await withCheckedContinuation { continuation in
            core.start(handshake: continuation)
        }
        switch result {
        case .success(let info):
            return PluginConnection(core: core, info: info, executable: executable)
        case .failure(let error):
            await core.waitUntilFinished()
            throw error
        }
    }

    /// Sends one request and waits for its terminal response.
    ///
    /// The host fills in `deadlineMs` from `timeout`; the caller fills in the
    /// rest. Cancelling the calling task sends CANCEL and returns at once.
    /// - Parameters:
    ///   - request: The evaluation; its requirement must be in the manifest.
    ///   - timeout: The request's deadline; the configuration's default if nil.
    ///   - onProgress: Called with each PROGRESS frame for this request.
    /// - Returns: The plugin's finding, checked to answer the requirement asked.
    /// - Throws: `PluginError`: the plugin's own call error (`.pluginReported`),
    ///   `.deadlineExceeded`, `.cancelled`, or the failure that stopped it.
    public func evaluate(
        _ request: Secscore_Plugin_V1_EvaluateRequest,
        timeout: Duration? = nil,
        onProgress: (@Sendable (Secscore_Plugin_V1_Progress) -> Void)? = nil
    ) async throws(PluginError) -> Secscore_Plugin_V1_Finding {
        guard info.requirementIDs.contains(request.requirementID) else {
            throw PluginError(
                .shutDown, plugin: info.name,
                "was asked for requirement \(request.requirementID), which its manifest does not declare")
        }
        let result = await core.call(request, timeout: timeout ?? core.configuration.requestTimeout, onProgress: onProgress)
        return try result.get()
    }

    /// Sends PING and waits for PONG. Only sent when no request is in
    /// flight, as the protocol requires.
    /// - Returns: The round-trip time, or nil when requests were in flight.
    public func ping(timeout: Duration = .seconds(5)) async throws(PluginError) -> Duration? {
        try await core.ping(timeout: timeout).get()
    }

    /// Ends the session: GOAWAY, close stdin, wait, SIGTERM, SIGKILL, reap.
    /// Calls still in flight fail with `.shutDown`. Safe to call more than once.
    /// - Returns: How the process ended (nil for an in-process peer).
    @discardableResult
    public func shutdown() async -> ExitStatus? {
        core.requestShutdown()
        await core.waitUntilFinished()
        return core.exitStatus
    }

    /// Reads and judges anything the plugin wrote that is still unread
    /// (while no request is in flight, stdout is read on demand). Call it
    /// before trusting earlier answers.
    public func settle() {
        core.settle()
    }

    /// The failure that stopped the plugin, if one did. Results the plugin
    /// returned before a protocol violation should not be trusted either.
    public var failure: PluginError? { core.failure }

    /// True once the session is over: the process was reaped and its stdout
    /// read to the end (or abandoned to an escaped grandchild), so every
    /// frame it wrote has been judged.
    public var isFinished: Bool { core.isFinished }

    /// How the process ended, once it has (nil for an in-process peer).
    public var exitStatus: ExitStatus? { core.exitStatus }

    /// Why this session's answers must not be believed, judged once the
    /// session is over (`isFinished`): it broke the protocol at any time, or
    /// its process did not exit cleanly after GOAWAY. Nil when they stand.
    /// Before the session is over nothing can be said, and that is a reason
    /// too: a verdict must not depend on when it was asked.
    public var untrustedReason: PluginError? {
        guard isFinished else {
            return PluginError(.shutDown, plugin: info.name, "its answers were judged before its process ended; not trusted")
        }
        if let failure, failure.code == .protocolViolation { return failure }
        if let status = exitStatus, status != .exited(0) {
            return PluginError(
                .exited, plugin: info.name,
                "answered, then did not exit cleanly after GOAWAY (\(status)\(failure.map { ": \($0.reason)" } ?? "")); its answers are not trusted")
        }
        return nil
    }

    /// The process id (nil for an in-process peer).
    public var processID: Int32? { core.process?.pid }

    /// Counters for tests and benchmarks.
    package var statistics: ConnectionStatistics { core.statistics }
}

/// Counts kept per session.
package struct ConnectionStatistics: Sendable {
    package var requestsSent = 0
    package var responsesReceived = 0
    package var logRecords = 0
    package var logBytes = 0
}
