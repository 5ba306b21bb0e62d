/// Why a check gave no answer the engine can use. Whatever runs checks (the
/// plugin processes, or checks linked in) maps its own failures to one of
/// these; the engine turns it into could not check, earning nothing.
///
/// A struct over a private enum so that new codes do not break callers.
public struct CheckFailure: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Storage: String, Hashable, Sendable {
            case unavailable, deadlineExceeded, failed, untrustworthy
        }
        let storage: Storage

        /// Whatever runs the check could not run it (not started, stopped,
        /// shut down, the request too large for it).
        public static let unavailable = Code(storage: .unavailable)
        /// The check did not answer within its deadline.
        public static let deadlineExceeded = Code(storage: .deadlineExceeded)
        /// The check ran and failed (it crashed or reported an error).
        public static let failed = Code(storage: .failed)
        /// The check answered but whatever gave the answer broke its
        /// contract, so nothing it said can be believed.
        public static let untrustworthy = Code(storage: .untrustworthy)

        public var description: String { storage.rawValue }
    }

    public let code: Code
    /// A sentence for reports: what failed and how, naming the check's
    /// runner (e.g. "plugin admin-mfa: ...").
    public let description: String

    public init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }
}
