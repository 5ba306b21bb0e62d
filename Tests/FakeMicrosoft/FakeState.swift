import Foundation

/// The fake's mutable state behind one lock: faults, tokens, counters.
final class FakeState: @unchecked Sendable {
    private let lock = NSLock()
    private var faults: [String: [FakeFault]] = [:]
    private var tokens: [String: String] = [:]
    private var inFlight: [String: Int] = [:]
    private var _stats = FakeStats()
    private var _base = ""
    private var devicePolls: [String: Int] = [:]
    private(set) var serverTask: Task<Void, any Error>?

    func setServer(_ task: Task<Void, any Error>) { lock.withLock { serverTask = task } }
    func setBase(_ base: String) { lock.withLock { _base = base } }
    var base: String { lock.withLock { _base } }
    var stats: FakeStats { lock.withLock { _stats } }

    func inject(_ call: String, _ fault: FakeFault, times: Int) {
        lock.withLock { faults[call, default: []] += Array(repeating: fault, count: times) }
    }

    func takeFault(_ call: String) -> FakeFault? {
        lock.withLock {
            guard var queue = faults[call], !queue.isEmpty else { return nil }
            let fault = queue.removeFirst()
            faults[call] = queue
            _stats.faults[call, default: 0] += 1
            return fault
        }
    }

    func issue(audience: String, grant: String) -> String {
        let token = "fake-" + UUID().uuidString.lowercased()
        lock.withLock {
            tokens[token] = audience
            _stats.tokens[grant, default: 0] += 1
        }
        return token
    }

    func tokenValid(_ token: String, audience: String, staticToken: String?) -> Bool {
        if let staticToken, token == staticToken { return true }
        return lock.withLock { tokens[token] == audience }
    }

    func refuse(_ why: String) { lock.withLock { _stats.refusedAssertions.append(why) } }
    func count(_ call: String) { lock.withLock { _stats.requests[call, default: 0] += 1 } }
    func violation(_ cls: String) { lock.withLock { _stats.limitViolations[cls, default: 0] += 1 } }

    func enter(_ cls: String) {
        lock.withLock {
            inFlight[cls, default: 0] += 1
            _stats.peakConcurrency[cls] = max(_stats.peakConcurrency[cls] ?? 0, inFlight[cls]!)
        }
    }

    func leave(_ cls: String) { lock.withLock { inFlight[cls, default: 1] -= 1 } }

    /// Counts a device code poll; true once the person has "signed in".
    func poll(_ code: String, pending: Int) -> Bool {
        lock.withLock {
            devicePolls[code, default: 0] += 1
            return devicePolls[code]! > pending
        }
    }
}
