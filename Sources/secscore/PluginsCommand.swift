import ArgumentParser
import PluginHost
import SecScoreWire

struct PluginsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins",
        abstract: "List the plugins secscore finds and the requirement each one answers.",
        discussion: "Runs each plugin with --describe; no session is started and no tenant data is read."
    )

    @OptionGroup var plugins: PluginOptions

    func run() throws {
        let executables = try plugins.discover()
        if executables.isEmpty {
            print("No plugins found. Searched --plugin-dir, SECSCORE_PLUGIN_PATH and the folder of secscore itself.")
            throw ExitCode(2)
        }
        var owners: [String: [String]] = [:]
        var failed = false
        for executable in executables {
            do {
                let welcome = try executable.describe()
                print("\(SafeText.sanitize(welcome.pluginName)) \(SafeText.sanitize(welcome.pluginVersion))  (\(SafeText.sanitize(welcome.sdk)))")
                print("  path: \(executable.path)")
                for check in welcome.manifest.checks {
                    let facets = check.requiredFacets.map { "\($0)" } + check.optionalFacets.map { "\($0)?" }
                    print("  answers \(SafeText.sanitize(check.requirementID)): \(SafeText.sanitize(check.title))")
                    if !facets.isEmpty { print("    reads: \(facets.joined(separator: ", "))") }
                    owners[check.requirementID, default: []].append(executable.displayName)
                }
            } catch {
                failed = true
                print("\(executable.displayName): cannot describe: \(error.reason)")
                print("  path: \(executable.path)")
            }
        }
        let conflicts = owners.filter { $0.value.count > 1 }.sorted { $0.key < $1.key }
        for (requirement, names) in conflicts {
            print("error: requirement \(requirement) is declared by \(names.joined(separator: " and ")); secscore refuses to run both")
        }
        if !conflicts.isEmpty || failed { throw ExitCode(2) }
    }
}
