/// A published throttling limit: at most `limit` units in any sliding
/// window of `window` seconds, and at most `concurrency` requests in flight.
package struct ThrottleLimit: Sendable, Hashable {
    package var name: String
    package var limit: Int
    package var window: Double
    package var concurrency: Int

    package init(name: String, limit: Int, window: Double, concurrency: Int) {
        self.name = name
        self.limit = max(1, limit)
        self.window = window
        self.concurrency = max(1, concurrency)
    }

    /// Graph "Identity and access service limits", per app and tenant:
    /// 3,500 resource units per 10 s for a small tenant (the lowest tier:
    /// collect does not know the tenant's size before it has read the users).
    package static let directory = ThrottleLimit(name: "directory", limit: 3_500, window: 10, concurrency: 8)
    /// Graph "Identity and access reports service limits": 5 requests per 10 s per app and tenant.
    package static let reports = ThrottleLimit(name: "reports", limit: 5, window: 10, concurrency: 1)
    /// Graph "Identity protection and conditional access service limits":
    /// 1 request per second per tenant (no Retry-After on 429).
    package static let conditionalAccess = ThrottleLimit(name: "conditionalAccess", limit: 1, window: 1, concurrency: 1)
    /// Graph beta `security/partner/*`: no service limit is published; the
    /// global 130,000 per 10 s applies. Kept to a few in flight.
    package static let partnerSecurity = ThrottleLimit(name: "partnerSecurity", limit: 130_000, window: 10, concurrency: 4)
    /// Partner Center: the throttling guidance names the throttled APIs
    /// (customers' subscriptions among them) without a number we could
    /// cite; our choice is 500 requests per 60 s per partner (docs/COLLECT.md).
    package static let partnerCenter = ThrottleLimit(name: "partnerCenter", limit: 500, window: 60, concurrency: 8)
    /// The identity platform's token endpoint: a handful of calls per run.
    package static let signIn = ThrottleLimit(name: "signIn", limit: 20, window: 1, concurrency: 2)
}

/// Enforces one `ThrottleLimit` on the client side, so a collection stays
/// inside Microsoft's published limits instead of learning them from 429s.
/// Sliding-window log of the units spent; FIFO waiters for a slot.
package actor Throttle {
    package nonisolated let limit: ThrottleLimit
    private var spent: [(at: ContinuousClock.Instant, units: Int)] = []
    private var spentHead = 0
    private var spentUnits = 0
    private var inFlight = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private let clock = ContinuousClock()

    package init(_ limit: ThrottleLimit) { self.limit = limit }

    /// Waits for a slot and for `units` to fit the window, then takes them.
    /// Pair every call with `release()`.
    package func acquire(units: Int = 1) async throws {
        if inFlight >= limit.concurrency {
            await withCheckedContinuation { waiters.append($0) }
        } else {
            inFlight += 1
        }
        // The slot is ours from here (release() hands it over without a decrement).
        let units = min(max(1, units), limit.limit)
        while true {
            let now = clock.now
            prune(now)
            if spentUnits + units <= limit.limit {
                spent.append((now, units))
                spentUnits += units
                return
            }
            // Sleep until enough of the oldest entries leave the window.
            var freed = limit.limit - spentUnits
            var until = now
            var i = spentHead
            while freed < units, i < spent.count {
                freed += spent[i].units
                until = spent[i].at + .seconds(limit.window)
                i += 1
            }
            do {
                try await Task.sleep(until: until + .milliseconds(1), clock: clock)
            } catch {
                release()
                throw error
            }
        }
    }

    /// Gives the slot back (to the first waiter, if any).
    package func release() {
        if waiters.isEmpty {
            inFlight -= 1
        } else {
            waiters.removeFirst().resume()
        }
    }

    private func prune(_ now: ContinuousClock.Instant) {
        let horizon = now - .seconds(limit.window)
        while spentHead < spent.count, spent[spentHead].at <= horizon {
            spentUnits -= spent[spentHead].units
            spentHead += 1
        }
        if spentHead > 4096, spentHead * 2 > spent.count {
            spent.removeFirst(spentHead)
            spentHead = 0
        }
    }
}
