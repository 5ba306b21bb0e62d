public import SecScoreWire
import Synchronization

/// One plugin for a whole run, started again when its process dies.
///
/// Requests go to the current process. When that process has failed (it
/// crashed, hung, broke the protocol, was killed from outside), the next
/// request starts a new one under the `RestartPolicy` and every request
/// arriving meanwhile waits for that one restart. A restarted plugin must
/// declare exactly the checks the first one did; otherwise the host stops
/// trusting it for the run.
public final class SupervisedPlugin: Sendable {
    /// The executable, with its pinned digest if any: every restart opens,
    /// checks and runs the file again.
    public let executable: PluginExecutable
    /// What the first process declared in WELCOME.
    public let info: PluginInfo

    private let configuration: PluginHostConfiguration
    private let policy: RestartPolicy
    private let state: Mutex<State>

    private struct State {
        var current: PluginConnection
        var relaunch: Task<Result<PluginConnection, PluginError>, Never>?
        /// Restarts since the last request answered.
        var streak = 0
        var restarts = 0
        var gaveUp: PluginError?
        var closed = false
        /// The current process was retired at a commit point: the next
        /// request starts a fresh one (not a restart: nothing failed).
        var retired = false
        var recycles = 0
    }

    /// Wraps a connection that has completed its handshake.
    /// - Parameter restarts: how often starting it already had to be
    ///   retried (counted in `restartCount`).
    public init(_ connection: PluginConnection, configuration: PluginHostConfiguration, policy: RestartPolicy, restarts: Int = 0) {
        self.executable = connection.executable
        self.info = connection.info
        self.configuration = configuration
        self.policy = policy
        self.state = Mutex(State(current: connection, restarts: restarts))
    }

    /// What one request got, and from which process.
    public struct Answer: Sendable {
        /// The finding, or why there is none.
        public let result: Result<Secscore_Plugin_V1_Finding, PluginError>
        let connection: PluginConnection?

        /// Why the answer must not be believed, judged after the process
        /// that gave it has ended (`SupervisedPlugin.retire()`): it broke
        /// the protocol at any time (a second answer, a stray byte, however
        /// late), or it did not exit cleanly. Nil for an answer that stands.
        public var laterFailure: PluginError? {
            connection?.untrustedReason
        }
    }

    /// Sends one request to the current process, restarting the plugin first
    /// when the process has died. The request itself is never retried.
    public func evaluate(_ request: Secscore_Plugin_V1_EvaluateRequest, timeout: Duration? = nil) async -> Answer {
        let connection: PluginConnection
        switch await usableConnection() {
        case .success(let c): connection = c
        case .failure(let error): return Answer(result: .failure(error), connection: nil)
        }
        let result: Result<Secscore_Plugin_V1_Finding, PluginError>
        do {
            result = .success(try await connection.evaluate(request, timeout: timeout))
        } catch {
            result = .failure(error)
        }
        // An answer, even the plugin's own call error, ends a crash streak.
        if case .success = result {
            state.withLock { $0.streak = 0 }
        } else if case .failure(let e) = result, e.code == .pluginReported {
            state.withLock { $0.streak = 0 }
        }
        return Answer(result: result, connection: connection)
    }

    /// How many times the plugin was started again in this run.
    public var restartCount: Int { state.withLock { $0.restarts } }

    /// How many processes were retired at commit points.
    public var recycleCount: Int { state.withLock { $0.recycles } }

    /// The commit point: ends the current process politely (GOAWAY, then
    /// wait for it to exit) and reads everything it wrote to the end, so
    /// that every answer it gave can be judged (`Answer.laterFailure`). The
    /// next request starts a fresh process. Call only while no request is in
    /// flight.
    public func retire() async {
        let current: PluginConnection? = state.withLock { s in
            guard !s.closed, s.relaunch == nil, !s.retired, s.current.failure == nil else { return nil }
            s.retired = true
            s.recycles += 1
            return s.current
        }
        await current?.shutdown()
    }

    /// The current process id (nil while none runs).
    public var processID: Int32? { state.withLock { $0.current.processID } }

    /// Ends the current process and any restart under way. Safe to call more
    /// than once; requests after it fail with `.shutDown`.
    public func shutdown() async {
        let (current, relaunch) = state.withLock { s in
            s.closed = true
            return (s.current, s.relaunch)
        }
        if let relaunch, case .success(let started) = await relaunch.value {
            await started.shutdown()
        }
        await current.shutdown()
        // A restart that finished in between replaced `current`.
        let last = state.withLock { $0.current }
        if last !== current { await last.shutdown() }
    }

    private enum Step {
        case use(PluginConnection)
        case wait(Task<Result<PluginConnection, PluginError>, Never>)
        case fail(PluginError)
    }

    private func usableConnection() async -> Result<PluginConnection, PluginError> {
        let step = state.withLock { s -> Step in
            if let error = s.gaveUp { return .fail(error) }
            if s.closed { return .fail(PluginError(.shutDown, plugin: info.name, "the run is shutting down")) }
            if s.retired {
                if let relaunch = s.relaunch { return .wait(relaunch) }
                let task = Task { await self.replaceRetired() }
                s.relaunch = task
                return .wait(task)
            }
            guard let failure = s.current.failure else { return .use(s.current) }
            if let relaunch = s.relaunch { return .wait(relaunch) }
            if policy.maxConsecutiveFailures == 0 || policy.maxRestarts == 0 {
                s.gaveUp = PluginError(failure.code, plugin: info.name, "is not restarted (restarts are off); it stopped: \(failure.reason)")
                return .fail(s.gaveUp!)
            }
            if s.streak >= policy.maxConsecutiveFailures {
                s.gaveUp = PluginError(
                    failure.code, plugin: info.name,
                    "gave up after \(s.streak) restarts in a row without an answer; it last stopped: \(failure.reason)")
                return .fail(s.gaveUp!)
            }
            if s.restarts >= policy.maxRestarts {
                s.gaveUp = PluginError(
                    failure.code, plugin: info.name,
                    "gave up: restarted \(s.restarts) times in this run, the most allowed; it last stopped: \(failure.reason)")
                return .fail(s.gaveUp!)
            }
            s.streak += 1
            s.restarts += 1
            let old = s.current
            let wait = policy.backoff(streak: s.streak)
            let task = Task { await self.restart(replacing: old, failure: failure, after: wait) }
            s.relaunch = task
            return .wait(task)
        }
        switch step {
        case .use(let connection): return .success(connection)
        case .fail(let error): return .failure(error)
        case .wait(let task): return await task.value
        }
    }

    /// Starts the process that follows a retired one. A failure here is
    /// reported to the request that needed it; the next request tries again.
    private func replaceRetired() async -> Result<PluginConnection, PluginError> {
        let outcome = await launchChecked(after: "was retired at a commit point")
        let closed = state.withLock { s in
            s.relaunch = nil
            if case .success(let fresh) = outcome, !s.closed {
                s.current = fresh
                s.retired = false
            }
            return s.closed
        }
        if closed, case .success(let fresh) = outcome {
            await fresh.shutdown()
            return .failure(PluginError(.shutDown, plugin: info.name, "the run is shutting down"))
        }
        return outcome
    }

    /// Launches a new process that must declare the checks the first did.
    private func launchChecked(after what: String) async -> Result<PluginConnection, PluginError> {
        do {
            let fresh = try await PluginConnection.launch(executable, configuration: configuration)
            guard fresh.info.requirementIDs.sorted() == info.requirementIDs.sorted() else {
                await fresh.shutdown()
                let error = PluginError(
                    .protocolViolation, plugin: info.name,
                    "declared \(fresh.info.requirementIDs) after a restart instead of \(info.requirementIDs); not trusted for the rest of the run")
                state.withLock { $0.gaveUp = error }
                return .failure(error)
            }
            return .success(fresh)
        } catch {
            return .failure(PluginError(error.code, plugin: info.name, "\(what) and could not be restarted: \(error.reason)"))
        }
    }

    private func restart(
        replacing old: PluginConnection, failure: PluginError, after wait: Duration
    ) async -> Result<PluginConnection, PluginError> {
        await old.shutdown()  // reaps it; it has already been stopped
        try? await Task.sleep(for: wait)
        var outcome = await launchChecked(after: "stopped (\(failure.reason))")
        let closed = state.withLock { s in
            s.relaunch = nil
            if case .success(let fresh) = outcome, !s.closed { s.current = fresh }
            return s.closed
        }
        if closed, case .success(let fresh) = outcome {
            await fresh.shutdown()
            outcome = .failure(PluginError(.shutDown, plugin: info.name, "the run is shutting down"))
        }
        return outcome
    }
}
