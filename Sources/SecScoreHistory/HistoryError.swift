/// Why the history database cannot be used. The file is never overwritten
/// or repaired: a database secscore cannot read is left as it is.
///
/// A struct over a private enum so that new codes do not break callers.
package struct HistoryError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Storage: String, Hashable, Sendable {
            case cannotOpen, notADatabase, newerSchema, writeFailed, readFailed, ambiguousPartner
        }
        let storage: Storage

        /// The file cannot be opened or created (permissions, a folder).
        package static let cannotOpen = Code(storage: .cannotOpen)
        /// The file is not an SQLite database, or is corrupt.
        package static let notADatabase = Code(storage: .notADatabase)
        /// A newer secscore wrote it, with migrations this one does not know.
        package static let newerSchema = Code(storage: .newerSchema)
        /// Recording an evaluation failed; nothing of it was written.
        package static let writeFailed = Code(storage: .writeFailed)
        /// A partner's name matches several partners.
        package static let ambiguousPartner = Code(storage: .ambiguousPartner)
        /// Reading history failed.
        package static let readFailed = Code(storage: .readFailed)

        package var description: String { storage.rawValue }
    }

    package let code: Code
    /// The database file's path as given.
    package let file: String
    let message: String

    /// "FILE: what is wrong and what to do".
    package var description: String { "\(file): \(message)" }

    init(_ code: Code, file: String, _ message: String) {
        self.code = code
        self.file = file
        self.message = message
    }
}
