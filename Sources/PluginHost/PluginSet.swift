/// All the plugins of one run, launched together, routed by requirement.
///
/// A plugin that fails to start is recorded in `launchFailures` and the rest
/// go on; two plugins that declare the same requirement are a configuration
/// error, because the host could not tell which one to believe. A plugin
/// whose process dies later is restarted under the configuration's
/// `restartPolicy`.
public final class PluginSet: Sendable {
    /// The running plugins, in discovery order.
    public let plugins: [SupervisedPlugin]
    /// Plugins that could not be started, with the reason.
    public let launchFailures: [PluginError]
    private let routes: [String: SupervisedPlugin]

    private init(plugins: [SupervisedPlugin], launchFailures: [PluginError], routes: [String: SupervisedPlugin]) {
        self.plugins = plugins
        self.launchFailures = launchFailures
        self.routes = routes
    }

    /// Launches every executable concurrently.
    /// - Throws: `PluginSetError` when two plugins declare one requirement
    ///   (after stopping all of them).
    public static func launch(
        _ executables: [PluginExecutable], configuration: PluginHostConfiguration
    ) async throws(PluginSetError) -> PluginSet {
        let outcomes = await withTaskGroup(of: (Int, Result<(connection: PluginConnection, retries: Int), PluginError>).self) { group in
            for (index, executable) in executables.enumerated() {
                group.addTask {
                    (index, await launchRetrying(executable, configuration: configuration))
                }
            }
            var results: [(Int, Result<(connection: PluginConnection, retries: Int), PluginError>)] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }
        var plugins: [SupervisedPlugin] = []
        var failures: [PluginError] = []
        for outcome in outcomes {
            switch outcome {
            case .success(let started):
                plugins.append(SupervisedPlugin(
                    started.connection, configuration: configuration, policy: configuration.restartPolicy,
                    restarts: started.retries))
            case .failure(let e): failures.append(e)
            }
        }
        var routes: [String: SupervisedPlugin] = [:]
        var conflicts: [String] = []
        for plugin in plugins {
            for requirement in plugin.info.requirementIDs {
                if let other = routes[requirement] {
                    conflicts.append(
                        "requirement \(requirement) is declared by both \(other.info.name) (\(other.executable.path)) and \(plugin.info.name) (\(plugin.executable.path))")
                } else {
                    routes[requirement] = plugin
                }
            }
        }
        if !conflicts.isEmpty {
            for plugin in plugins { await plugin.shutdown() }
            throw PluginSetError(conflicts: conflicts)
        }
        return PluginSet(plugins: plugins, launchFailures: failures, routes: routes)
    }

    /// Starts one plugin. A process that dies during its handshake (a
    /// crash, the OOM killer, a signal from outside) is started again, at
    /// most twice and with the policy's backoff, since one that dies every
    /// time should not delay the run much; one that refuses, hangs, or fails
    /// a trust check is not started again.
    private static func launchRetrying(
        _ executable: PluginExecutable, configuration: PluginHostConfiguration
    ) async -> Result<(connection: PluginConnection, retries: Int), PluginError> {
        let policy = configuration.restartPolicy
        var retries = 0
        while true {
            do {
                return .success((try await PluginConnection.launch(executable, configuration: configuration), retries))
            } catch {
                guard error.diedWhileStarting, retries < min(2, policy.maxConsecutiveFailures, policy.maxRestarts) else {
                    return .failure(error)
                }
                retries += 1
                try? await Task.sleep(for: policy.backoff(streak: retries))
            }
        }
    }

    /// The plugin that answers `requirementID`, if any.
    public func plugin(for requirementID: String) -> SupervisedPlugin? {
        routes[requirementID]
    }

    /// Every requirement some plugin answers.
    public var requirementIDs: [String] { routes.keys.sorted() }

    /// Shuts every plugin down concurrently.
    public func shutdown() async {
        await withTaskGroup(of: Void.self) { group in
            for plugin in plugins {
                group.addTask { await plugin.shutdown() }
            }
        }
    }
}

/// Plugins that cannot run together: two of them declare one requirement.
public struct PluginSetError: Error, Sendable, CustomStringConvertible {
    /// One sentence per requirement declared twice, naming both plugins and
    /// their paths.
    public let conflicts: [String]

    public var description: String { conflicts.joined(separator: "; ") + "; remove one of them" }

    init(conflicts: [String]) { self.conflicts = conflicts }
}
