import ArgumentParser
import PluginHost
import SecScoreModel
import SecScoreWire
import TenantSnapshot

struct PluginsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins",
        abstract: "List the plugins secscore finds and the requirement each one answers.",
        discussion: """
            Runs each plugin with --describe; no session is started and no tenant data is read. \
            A check whose requirement no edition of the catalog has is marked: secscore never asks it.
            """
    )

    @OptionGroup var plugins: PluginOptions

    @Option(help: ArgumentHelp("Compare with this requirement catalog instead of the built-in one.", valueName: "FILE"))
    var catalog: String?

    func run() throws {
        let executables = try plugins.discover()
        if executables.isEmpty {
            print("No plugins found. Searched --plugin-dir, SECSCORE_PLUGIN_PATH and the folder of secscore itself.")
            throw ExitCode(2)
        }
        let known = CatalogCoverage.requirementIDs(of: try loadCatalog())
        var owners: [String: [String]] = [:]
        var unknown: [String] = []
        var failed = false
        for executable in executables {
            do {
                let welcome = try executable.describe()
                let name = SafeText.sanitize(welcome.pluginName)
                print("\(name) \(SafeText.sanitize(welcome.pluginVersion))  (\(SafeText.sanitize(welcome.sdk)))")
                print("  path: \(executable.path)")
                for check in welcome.manifest.checks {
                    let facets = check.requiredFacets.map { "\($0)" } + check.optionalFacets.map { "\($0)?" }
                    let id = SafeText.sanitize(check.requirementID, limit: 128)
                    let mark = known.contains(check.requirementID) ? "" : "  [not in the catalog: never asked]"
                    print("  answers \(id): \(SafeText.sanitize(check.title))\(mark)")
                    if !facets.isEmpty { print("    reads: \(facets.joined(separator: ", "))") }
                    owners[check.requirementID, default: []].append(executable.displayName)
                    if !mark.isEmpty { unknown.append(CatalogCoverage.warning(plugin: name.isEmpty ? executable.displayName : name, requirementID: check.requirementID)) }
                }
            } catch {
                failed = true
                print("\(executable.displayName): cannot describe: \(error.reason)")
                print("  path: \(executable.path)")
            }
        }
        // A requirement the catalog lacks is a warning, not an error: the
        // plugin may be ahead of the catalog, or meant for another one.
        for line in unknown { print(line) }
        let conflicts = owners.filter { $0.value.count > 1 }.sorted { $0.key < $1.key }
        for (requirement, names) in conflicts {
            print("error: requirement \(requirement) is declared by \(names.joined(separator: " and ")); secscore refuses to run both")
        }
        if !conflicts.isEmpty || failed { throw ExitCode(2) }
    }

    func loadCatalog() throws -> Catalog { try CatalogOptions.loadCatalog(at: catalog) }
}

/// Which declared checks a catalog knows. A check whose requirement no
/// edition has is silently never asked; `plugins` and `evaluate` say so.
enum CatalogCoverage {
    /// Every requirement id of every edition of `catalog`.
    static func requirementIDs(of catalog: Catalog) -> Set<String> {
        Set(catalog.editions.flatMap { $0.requirements.map(\.id) })
    }

    /// One warning line per check of `plugins` that no edition of `catalog`
    /// has, in plugin and manifest order.
    static func warnings(for plugins: [PluginInfo], catalog: Catalog) -> [String] {
        let known = requirementIDs(of: catalog)
        return plugins.flatMap { plugin in
            plugin.requirementIDs.filter { !known.contains($0) }.map { warning(plugin: plugin.name, requirementID: $0) }
        }
    }

    static func warning(plugin: String, requirementID: String) -> String {
        "warning: plugin \(plugin) declares requirement \(SafeText.sanitize(requirementID, limit: 128)), which no edition of the catalog has; secscore never asks it"
    }
}
