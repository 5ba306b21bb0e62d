public import PluginHost
public import SecScoreEngine
import SecScoreWire

/// The engine's `CheckRunner` over plugin processes: routes each requirement
/// to the plugin that declared it and maps the host's `PluginError` to the
/// engine's `CheckFailure`. The only module that knows both the engine and
/// the plugin host.
public struct PluginCheckRunner: CheckRunner {
    /// The running plugins.
    public let plugins: PluginSet

    public init(_ plugins: PluginSet) {
        self.plugins = plugins
    }

    public func check(for requirementID: String) -> CheckBinding? {
        guard let plugin = plugins.plugin(for: requirementID),
              let descriptor = plugin.info.manifest.checks.first(where: { $0.requirementID == requirementID })
        else { return nil }
        return CheckBinding(name: plugin.info.name, descriptor: descriptor) { request, timeout in
            let answer = await plugin.evaluate(request, timeout: timeout)
            // Judged only when asked, after the commit point.
            return CheckAnswer(answer.result.mapError(Self.failure), laterFailure: {
                answer.laterFailure.map { CheckFailure(.untrustworthy, $0.description) }
            })
        }
    }

    public var unavailableReasons: [String] {
        plugins.launchFailures.map(\.description)
    }

    /// Ends every plugin process politely and reads its output to the end
    /// (`SupervisedPlugin.retire()`); the next request starts fresh ones.
    public func commit() async {
        await withTaskGroup(of: Void.self) { group in
            for plugin in plugins.plugins { group.addTask { await plugin.retire() } }
        }
    }

    /// The engine's view of a plugin failure; the description (which names
    /// the plugin) is kept word for word for reports.
    static func failure(_ error: PluginError) -> CheckFailure {
        let code: CheckFailure.Code =
            switch error.code {
            case .deadlineExceeded: .deadlineExceeded
            case .protocolViolation, .untrusted: .untrustworthy
            case .exited, .pluginReported, .resourceExhausted: .failed
            default: .unavailable
            }
        return CheckFailure(code, error.description)
    }
}
