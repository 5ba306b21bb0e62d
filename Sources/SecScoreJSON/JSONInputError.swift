/// Bad JSON input: names the file, the JSON path and what was expected.
///
/// The one error type of every JSON reader in secscore (snapshot files,
/// catalog files). `code` says which kind of problem it is; new kinds can be
/// added without breaking callers that switch on it.
public struct JSONInputError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of problem it is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Storage: Hashable, Sendable {
            case unreadable, encoding, syntax, content
        }
        let storage: Storage

        /// The file or directory could not be opened or read.
        public static let unreadable = Code(storage: .unreadable)
        /// The bytes are not text secscore reads (UTF-16 without a byte-order
        /// mark, UTF-32, an invalid character).
        public static let encoding = Code(storage: .encoding)
        /// The text is not JSON (RFC 8259); `message` gives the line and column.
        public static let syntax = Code(storage: .syntax)
        /// The JSON is well formed but not what was expected at `path`.
        public static let content = Code(storage: .content)

        public var description: String { "\(storage)" }
    }

    public let code: Code
    /// The file's path as given.
    public let file: String
    /// A JSONPath-like location, e.g. `$.value[3].accountEnabled`; empty when
    /// the problem is the file itself.
    public let path: String
    /// What was expected, and usually what was found instead.
    public let message: String

    /// `file: path: message`, or `file: message` without a path.
    public var description: String {
        path.isEmpty ? "\(file): \(message)" : "\(file): \(path): \(message)"
    }

    package init(_ code: Code = .content, file: String, path: String, _ message: String) {
        self.code = code
        self.file = file
        self.path = path
        self.message = message
    }
}
