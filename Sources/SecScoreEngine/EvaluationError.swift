/// Input that makes evaluation impossible: nothing is evaluated.
///
/// A struct over a private enum so that new codes do not break callers. The
/// description names the input at fault and what was expected; it never
/// names a command-line option (the CLI adds its own hints by `code`).
public struct EvaluationError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Storage: String, Hashable, Sendable {
            case unknownEdition, partnerTypeUnknown
        }
        let storage: Storage

        /// The edition asked for is not in the catalog.
        public static let unknownEdition = Code(storage: .unknownEdition)
        /// Neither the snapshot nor the options say the partner type.
        public static let partnerTypeUnknown = Code(storage: .partnerTypeUnknown)

        public var description: String { storage.rawValue }
    }

    public let code: Code
    public let description: String

    init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }
}
