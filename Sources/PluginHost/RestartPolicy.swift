/// When the host starts a plugin again after its process died.
///
/// A fleet run keeps one process per plugin for hundreds of partners; without
/// restarts, one crash would cost every later partner that requirement. With
/// them, a crash costs only the requests in flight at that moment: those fail
/// (they are never retried, because the request itself may be what kills the
/// plugin), and the next request starts a fresh process.
///
/// A plugin that dies again before answering anything is crash-looping: each
/// restart waits twice as long as the one before, and after
/// `maxConsecutiveFailures` such restarts the host gives up on it for the
/// rest of the run.
public struct RestartPolicy: Sendable, Hashable {
    /// Restarts in a row without one successful answer in between, at most.
    /// Zero disables restarts.
    public var maxConsecutiveFailures: Int
    /// Restarts in the whole run, at most.
    public var maxRestarts: Int
    /// The wait before the first restart of a streak; doubles each time.
    public var initialBackoff: Duration
    /// The longest wait before a restart.
    public var maxBackoff: Duration

    public init(
        maxConsecutiveFailures: Int = 5, maxRestarts: Int = 1_000,
        initialBackoff: Duration = .milliseconds(50), maxBackoff: Duration = .seconds(5)
    ) {
        self.maxConsecutiveFailures = maxConsecutiveFailures
        self.maxRestarts = maxRestarts
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
    }

    /// Never restart: a dead plugin stays dead for the run.
    public static let never = RestartPolicy(maxConsecutiveFailures: 0, maxRestarts: 0)

    /// The wait before restart number `streak` (1-based) of a streak.
    func backoff(streak: Int) -> Duration {
        var wait = initialBackoff
        var step = 1
        while step < streak, wait < maxBackoff {
            wait *= 2
            step += 1
        }
        return min(wait, maxBackoff)
    }
}
