package import Foundation

/// When and how long to wait before retrying a call.
///
/// Microsoft's guidance ("Microsoft Graph throttling guidance", "API
/// throttling guidance for partners calling Partner Center APIs"): on 429
/// wait the `Retry-After` seconds and retry; without it, back off
/// exponentially. We also retry 503 and 504 (transient, and Graph sends
/// Retry-After with them) and dropped connections; every retry of one call
/// fits in `maxTotal` seconds, after which the call fails as throttled.
package struct RetryPolicy: Sendable, Hashable {
    /// Attempts of one call, the first included.
    package var maxAttempts: Int
    /// The most time one call may spend waiting between attempts.
    package var maxTotal: Double
    /// The first backoff without Retry-After; doubled each attempt, capped at `maxDelay`.
    package var baseDelay: Double
    package var maxDelay: Double

    package init(maxAttempts: Int = 8, maxTotal: Double = 300, baseDelay: Double = 1, maxDelay: Double = 60) {
        self.maxAttempts = maxAttempts
        self.maxTotal = maxTotal
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// Statuses worth another attempt.
    package static func isRetryable(status: Int) -> Bool { status == 429 || status == 503 || status == 504 }

    /// The wait before attempt `attempt + 1` (attempt counts from 1): the
    /// server's Retry-After when it sent one, else full-jitter exponential
    /// backoff between half and all of `baseDelay * 2^(attempt-1)`.
    package func delay(attempt: Int, retryAfter: String?, now: Date = Date()) -> Double {
        if let retryAfter, let seconds = Self.parseRetryAfter(retryAfter, now: now) {
            return min(max(0, seconds), maxTotal)
        }
        let exponential = min(maxDelay, baseDelay * Double(1 << min(attempt - 1, 20)))
        return Double.random(in: (exponential / 2)...exponential)
    }

    /// `Retry-After` as delta-seconds or an HTTP-date (RFC 9110 10.2.3).
    package static func parseRetryAfter(_ value: String, now: Date = Date()) -> Double? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(trimmed), seconds >= 0 { return seconds }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: trimmed) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }
}
