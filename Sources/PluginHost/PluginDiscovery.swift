import Glibc
import SecScoreWire

/// Finds plugin executables: files named `secscore-plugin-<name>`.
///
/// Directories are searched in order: those given on the command line
/// (`--plugin-dir`), then `SECSCORE_PLUGIN_PATH` (colon-separated), then the
/// folder of the secscore executable itself, where the shipped plugins live.
/// When two folders hold a plugin of the same file name, the earlier folder
/// wins, so a user can override a shipped plugin deliberately.
public enum PluginDiscovery {
    /// The prefix every plugin's file name starts with.
    public static let prefix = "secscore-plugin-"

    /// The search path for the given options and environment.
    public static func searchPath(
        pluginDirectories: [String], environment: [String: String], executableDirectory: String?
    ) -> [String] {
        var dirs = pluginDirectories
        if let path = environment["SECSCORE_PLUGIN_PATH"] {
            dirs += path.split(separator: ":").map(String.init).filter { !$0.isEmpty }
        }
        if let executableDirectory { dirs.append(executableDirectory) }
        var seen = Set<String>()
        return dirs.filter { seen.insert($0).inserted }
    }

    /// The plugin executables in `directories`, by file name, earlier
    /// directories first. Missing directories are skipped; unreadable
    /// entries are reported by `launch` later, when they are run.
    public static func discover(in directories: [String], lock: PluginLock? = nil) -> [PluginExecutable] {
        var byName: [String: PluginExecutable] = [:]
        var order: [String] = []
        for directory in directories {
            guard let dir = opendir(directory) else { continue }
            var names: [String] = []
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
                }
                guard name.hasPrefix(prefix), name.count > prefix.count else { continue }
                names.append(name)
            }
            closedir(dir)
            for name in names.sorted() where byName[name] == nil {
                let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
                var st = stat()
                guard stat(path, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { continue }
                byName[name] = PluginExecutable(path: path, pinnedSHA256: lock?.digest(for: name))
                order.append(name)
            }
        }
        return order.map { byName[$0]! }
    }

    /// The folder holding the running executable.
    public static func executableDirectory() -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        let path = String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)])
    }
}

/// SHA-256 pins for plugin executables, in the format `sha256sum` prints:
/// one `<64 hex digits>  <file name>` per line; `#` starts a comment.
/// Create one with `sha256sum secscore-plugin-* > plugins.lock` or
/// `secscore plugin lock`.
public struct PluginLock: Sendable, Hashable {
    private var digests: [String: String]

    /// Parses lock file text.
    /// - Throws: `PluginLockError` naming the line that is not `<sha256>  <name>`.
    public init(text: String, path: String) throws(PluginLockError) {
        var digests: [String: String] = [:]
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") { continue }
            let parts = line.split(separator: " ", maxSplits: 1).map { $0.trimmingWhitespace() }
            guard parts.count == 2, parts[0].count == 64, parts[0].allSatisfy(\.isHexDigit) else {
                throw PluginLockError(
                    "\(path):\(index + 1): expected \"<64 hex digit SHA-256>  <plugin file name>\", found \"\(SafeText.sanitize(String(line), limit: 120))\"")
            }
            var name = String(parts[1])
            if name.hasPrefix("*") { name.removeFirst() }  // sha256sum's binary marker
            name = String(name.split(separator: "/").last ?? Substring(name))
            if let existing = digests[name], existing != parts[0].lowercased() {
                throw PluginLockError("\(path):\(index + 1): \(name) is pinned twice with different digests")
            }
            digests[name] = parts[0].lowercased()
        }
        self.digests = digests
    }

    /// The pinned digest for a plugin file name.
    public func digest(for fileName: String) -> String? { digests[fileName] }

    /// The pinned file names.
    public var names: [String] { digests.keys.sorted() }
}

/// A lock file that cannot be used.
public struct PluginLockError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

extension StringProtocol {
    func trimmingWhitespace() -> Substring {
        var s = self[...]
        while let f = s.first, f == " " || f == "\t" || f == "\r" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s.removeLast() }
        return Substring(s)
    }
}
