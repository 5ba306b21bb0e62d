/// Why the history database cannot be used. The file is never overwritten
/// or repaired: a database secscore cannot read is left as it is.
///
/// A struct over a private enum so that new codes do not break callers.
public struct HistoryError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Storage: String, Hashable, Sendable {
            case cannotOpen, notADatabase, newerSchema, writeFailed, readFailed, ambiguousPartner
        }
        let storage: Storage

        /// The file cannot be opened or created (permissions, a folder).
        public static let cannotOpen = Code(storage: .cannotOpen)
        /// The file is not an SQLite database, or is corrupt.
        public static let notADatabase = Code(storage: .notADatabase)
        /// A newer secscore wrote it, with migrations this one does not know.
        public static let newerSchema = Code(storage: .newerSchema)
        /// Recording an evaluation failed; nothing of it was written.
        public static let writeFailed = Code(storage: .writeFailed)
        /// A partner's name matches several partners.
        public static let ambiguousPartner = Code(storage: .ambiguousPartner)
        /// Reading history failed.
        public static let readFailed = Code(storage: .readFailed)

        public var description: String { storage.rawValue }
    }

    public let code: Code
    /// The database file's path as given.
    public let file: String
    let message: String

    /// "FILE: what is wrong and what to do".
    public var description: String { "\(file): \(message)" }

    init(_ code: Code, file: String, _ message: String) {
        self.code = code
        self.file = file
        self.message = message
    }
}
