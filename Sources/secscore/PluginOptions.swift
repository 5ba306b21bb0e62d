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
    func discover() throws -> [PluginExecutable] {
        let environment = ["SECSCORE_PLUGIN_PATH": getenv("SECSCORE_PLUGIN_PATH").map { String(cString: $0) }].compactMapValues { $0 }
        let path = PluginDiscovery.searchPath(
            pluginDirectories: pluginDirectories, environment: environment,
            executableDirectory: PluginDiscovery.executableDirectory())
        var pins: PluginLock?
        if let lock {
            let text = try readFile(lock)
            pins = try PluginLock(text: text, path: lock)
        }
        let found = PluginDiscovery.discover(in: path, lock: pins)
        if let lock {
            let unpinned = found.filter { $0.pinnedSHA256 == nil }.map(\.displayName)
            if !unpinned.isEmpty {
                throw ValidationError("\(lock): these plugins are not pinned, so they are refused: \(unpinned.joined(separator: ", ")). Pin them (secscore plugin lock) or remove them.")
            }
        }
        return found
    }
}

/// Reads a whole file as UTF-8.
/// - Throws: `ValidationError` naming the file and the system's reason.
func readFile(_ path: String) throws -> String {
    guard let file = fopen(path, "r") else {
        throw ValidationError("cannot read \(path): \(String(cString: strerror(errno)))")
    }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&buffer, 1, buffer.count, file)
        if n == 0 { break }
        bytes += buffer[..<n]
    }
    return String(decoding: bytes, as: UTF8.self)
}
