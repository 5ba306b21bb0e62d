/// A fault the fake answers with on demand, for the next `times` requests
/// of one call (by the same names collect uses: `users`,
/// `roleEligibilitySchedules`, `perUserMfaBatchItem`, `token`, ...).
public enum FakeFault: Sendable, Hashable {
    /// An HTTP error status with Graph's error body.
    case status(Int, code: String)
    /// 429 with `Retry-After: seconds` (nil: no header, as Conditional Access does).
    case throttled(retryAfter: Int?)
    /// 503 without Retry-After.
    case unavailable
    /// Answer correctly after waiting this long.
    case slow(seconds: Double)
}

/// What the fake saw, for tests and the benchmark.
public struct FakeStats: Sendable {
    /// Requests per call name.
    public var requests: [String: Int] = [:]
    /// Faults answered per call name.
    public var faults: [String: Int] = [:]
    /// 429s the fake's own throttling limits answered (a well-behaved client gets none).
    public var limitViolations: [String: Int] = [:]
    /// Tokens issued, by grant type.
    public var tokens: [String: Int] = [:]
    /// Client assertions refused, with why.
    public var refusedAssertions: [String] = []
    /// Most requests in flight at once per throttling class.
    public var peakConcurrency: [String: Int] = [:]
}
