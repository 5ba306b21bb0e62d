import Foundation

/// The fake's enforcement of Microsoft's published limits (the same table
/// collect obeys, kept apart from it): a sliding window per class; a
/// request over the limit is answered 429.
final class FakeLimits: @unchecked Sendable {
    struct Limit {
        let limit: Int
        let window: Double
        let retryAfter: Bool
    }

    private let lock = NSLock()
    private var log: [String: [(Date, Int)]] = [:]
    let limits: [String: Limit]

    init(enforce: Bool) {
        limits = enforce ? [
            "directory": Limit(limit: 3_500, window: 10, retryAfter: true),
            "reports": Limit(limit: 5, window: 10, retryAfter: true),
            "conditionalAccess": Limit(limit: 1, window: 1, retryAfter: false),
            "partnerCenter": Limit(limit: 500, window: 60, retryAfter: true),
        ] : [:]
    }

    /// Admits `units` for `name`, or says how many seconds until it would fit.
    func admit(_ name: String, units: Int) -> (ok: Bool, retryAfter: Int?) {
        guard let limit = limits[name] else { return (true, nil) }
        return lock.withLock {
            let now = Date()
            // A little slack for clocks that tick differently in two processes' views.
            var entries = (log[name] ?? []).filter { now.timeIntervalSince($0.0) < limit.window - 0.05 }
            let used = entries.reduce(0) { $0 + $1.1 }
            guard used + units <= limit.limit else {
                log[name] = entries
                let wait = entries.first.map { limit.window - now.timeIntervalSince($0.0) } ?? limit.window
                return (false, limit.retryAfter ? max(1, Int(wait.rounded(.up))) : nil)
            }
            entries.append((now, units))
            log[name] = entries
            return (true, nil)
        }
    }
}
