/// Why `secscore collect` stopped or why one call failed. Grows without
/// breaking callers: match on `code`, print `description`.
public struct CollectError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable {
            case usage, signIn, http, throttled, transport, badResponse, output, cancelled
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// Bad options or configuration, found before anything is fetched.
        public static let usage = Code(.usage)
        /// The identity platform refused to issue a token.
        public static let signIn = Code(.signIn)
        /// A call answered with an HTTP error status.
        public static let http = Code(.http)
        /// A call was still throttled when its retry budget ran out.
        public static let throttled = Code(.throttled)
        /// The connection failed (DNS, TLS, reset, timeout).
        public static let transport = Code(.transport)
        /// A response was not the JSON shape Microsoft documents.
        public static let badResponse = Code(.badResponse)
        /// The snapshot folder could not be written.
        public static let output = Code(.output)
        /// The run was cancelled (Ctrl-C).
        public static let cancelled = Code(.cancelled)

        public var description: String {
            switch value {
            case .usage: "usage"
            case .signIn: "sign-in"
            case .http: "http"
            case .throttled: "throttled"
            case .transport: "transport"
            case .badResponse: "bad response"
            case .output: "output"
            case .cancelled: "cancelled"
            }
        }
    }

    public let code: Code
    /// The HTTP status, when the failure was an HTTP answer.
    public let status: Int?
    public let description: String

    public init(_ code: Code, status: Int? = nil, _ description: String) {
        self.code = code
        self.status = status
        self.description = description
    }
}
