/// Why `secscore collect` stopped or why one call failed. Grows without
/// breaking callers: match on `code`, print `description`.
package struct CollectError: Error, Sendable, CustomStringConvertible {
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable {
            case usage, signIn, http, throttled, transport, badResponse, output, cancelled
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// Bad options or configuration, found before anything is fetched.
        package static let usage = Code(.usage)
        /// The identity platform refused to issue a token.
        package static let signIn = Code(.signIn)
        /// A call answered with an HTTP error status.
        package static let http = Code(.http)
        /// A call was still throttled when its retry budget ran out.
        package static let throttled = Code(.throttled)
        /// The connection failed (DNS, TLS, reset, timeout).
        package static let transport = Code(.transport)
        /// A response was not the JSON shape Microsoft documents.
        package static let badResponse = Code(.badResponse)
        /// The snapshot folder could not be written.
        package static let output = Code(.output)
        /// The run was cancelled (Ctrl-C).
        package static let cancelled = Code(.cancelled)

        package var description: String {
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

    package let code: Code
    /// The HTTP status, when the failure was an HTTP answer.
    package let status: Int?
    package let description: String

    package init(_ code: Code, status: Int? = nil, _ description: String) {
        self.code = code
        self.status = status
        self.description = description
    }
}
