/// Bad snapshot input: names the file, the JSON path and what was expected.
public struct SnapshotError: Error, Sendable, CustomStringConvertible {
    /// The file's path as given.
    public let file: String
    /// A JSONPath-like location, e.g. `$.value[3].accountEnabled`; empty when
    /// the problem is the file itself.
    public let path: String
    public let message: String

    public var description: String {
        path.isEmpty ? "\(file): \(message)" : "\(file): \(path): \(message)"
    }

    package init(file: String, path: String, _ message: String) {
        self.file = file
        self.path = path
        self.message = message
    }
}
