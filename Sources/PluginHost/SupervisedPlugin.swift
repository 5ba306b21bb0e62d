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

        /// A protocol violation by the process that gave this answer, found
        /// after it answered: the answer must not be believed either. A crash
        /// after a correct answer does not taint it.
        public var laterFailure: PluginError? {
            connection?.settle()
            guard let failure = connection?.failure, failure.code == .protocolViolation else { return nil }
            return failure
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

    private func restart(
        replacing old: PluginConnection, failure: PluginError, after wait: Duration
    ) async -> Result<PluginConnection, PluginError> {
        await old.shutdown()  // reaps it; it has already been stopped
        try? await Task.sleep(for: wait)
        var outcome: Result<PluginConnection, PluginError>
        do {
            let fresh = try await PluginConnection.launch(executable, configuration: configuration)
            if fresh.info.requirementIDs.sorted() != info.requirementIDs.sorted() {
                await fresh.shutdown()
                let error = PluginError(
                    .protocolViolation, plugin: info.name,
                    "declared \(fresh.info.requirementIDs) after a restart instead of \(info.requirementIDs); not trusted for the rest of the run")
                state.withLock { $0.gaveUp = error }
                outcome = .failure(error)
            } else {
                outcome = .success(fresh)
            }
        } catch {
            outcome = .failure(PluginError(
                error.code, plugin: info.name, "stopped (\(failure.reason)) and could not be restarted: \(error.reason)"))
        }
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
