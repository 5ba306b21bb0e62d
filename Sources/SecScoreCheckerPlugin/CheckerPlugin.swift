package import SecScoreCheckers
import SecScorePluginKit
import SecScoreWire
import Synchronization

/// The entry point of a shipped Swift plugin, one that serves checkers from
/// `SecScoreCheckers`. A plugin's whole `main.swift` is one call:
///
/// ```swift
/// import SecScoreCheckerPlugin
/// import SecScoreCheckers
///
/// await CheckerPlugin.main(name: "admin-mfa", version: "1.0.0", checkers: [AdminMFAChecker.self])
/// ```
///
/// It lives apart from SecScorePluginKit so that the third-party SDK knows
/// nothing of secscore's own rules.
package enum CheckerPlugin {
    /// Serves `checkers` as plugin `name` `version` on stdin/stdout through
    /// SecScorePluginKit (or prints the manifest for `--describe`), then
    /// exits the process. The manifest is the checkers' declarations, in
    /// the order given; each answer is the checker's finding, sent as it is.
    /// - Precondition: called once per process, with checkers whose
    ///   requirement ids differ.
    package static func main(name: String, version: String, checkers: [any Checker.Type]) async {
        let plugin = Served(name: name, version: version, registry: CheckerRegistry(checkers))
        let first = served.withLock { current in
            guard current == nil else { return false }
            current = plugin
            return true
        }
        precondition(first, "CheckerPlugin.main runs once per process")
        await ServedCheckers.main()
    }
}

/// What `CheckerPlugin.main` serves.
struct Served: Sendable {
    var name: String
    var version: String
    var registry: CheckerRegistry
}

/// The SDK reads a plugin's name, version and checks from its type
/// (`SecScorePlugin`'s static requirements), so the values `main` was given
/// are kept here, set once before the SDK starts, for `ServedCheckers` to
/// read.
private let served = Mutex<Served?>(nil)

/// The SecScorePlugin the SDK runs for `CheckerPlugin.main`.
struct ServedCheckers: SecScorePlugin {
    private static var current: Served {
        guard let plugin = served.withLock({ $0 }) else { preconditionFailure("CheckerPlugin.main has not run") }
        return plugin
    }

    static var name: String { current.name }
    static var version: String { current.version }
    static var checks: [CheckDefinition] { current.registry.checkers.map(CheckDefinition.init(checker:)) }

    private let registry = Self.current.registry

    func evaluate(_ request: CheckRequest) async throws -> Finding {
        // The SDK answers requests for requirements the manifest does not
        // list before they get here; this guard only keeps that promise local.
        guard let checker = registry.checker(for: request.requirementID) else {
            throw CheckError(.unimplemented, "this plugin does not check requirement \(request.requirementID)")
        }
        let input = CheckInput(
            requirementID: request.requirementID, context: request.context,
            facets: request.facets, parameters: request.parameters)
        return Finding(checker.evaluate(input))
    }
}

extension CheckDefinition {
    /// The SDK's form of a checker's declaration.
    init(checker: any Checker.Type) {
        self.init(
            requirementID: checker.requirementID, title: checker.title, description: checker.description,
            requiredFacets: checker.requiredFacets, optionalFacets: checker.optionalFacets,
            principalScope: checker.principalScope)
    }
}
