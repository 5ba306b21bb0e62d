import ArgumentParser
import Glibc
import PluginHost

/// Where plugins come from; shared by every command that runs them.
struct PluginOptions: ParsableArguments {
    @Option(name: .customLong("plugin-dir"), help: ArgumentHelp("Also look for secscore-plugin-* executables in DIR (repeatable; searched first).", valueName: "DIR"))
    var pluginDirectories: [String] = []

    @Option(help: ArgumentHelp("Refuse any plugin not pinned in this sha256sum-format lock file, or whose binary changed.", valueName: "FILE"))
    var lock: String?

    /// The plugins to run, found on the search path.
    /// - Throws: `CommandFailure` for a lock file that cannot be read or
    ///   parsed, or plugins it does not pin.
    func discover() throws(CommandFailure) -> [PluginExecutable] {
        let environment = ["SECSCORE_PLUGIN_PATH": getenv("SECSCORE_PLUGIN_PATH").map { String(cString: $0) }].compactMapValues { $0 }
        let path = PluginDiscovery.searchPath(
            pluginDirectories: pluginDirectories, environment: environment,
            executableDirectory: PluginDiscovery.executableDirectory())
        var pins: PluginLock?
        if let lock {
            let text = try readFile(lock)
            do {
                pins = try PluginLock(text: text, path: lock)
            } catch {
                throw CommandFailure("error: \(error)")
            }
        }
        let found = PluginDiscovery.discover(in: path, lock: pins)
        if let lock {
            let unpinned = found.filter { $0.pinnedSHA256 == nil }.map(\.displayName)
            if !unpinned.isEmpty {
                throw CommandFailure("error: \(lock): these plugins are not pinned, so they are refused: \(unpinned.joined(separator: ", ")). Pin them (secscore plugin lock) or remove them.")
            }
        }
        return found
    }
}
